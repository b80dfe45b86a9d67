"""Reading an uploaded file from a multipart form, in memory.

The body is already capped (:mod:`ceasefire.web.guard`), so it is read whole and parsed
here rather than by Starlette's form parser, which spools parts over 1 MB to a temporary
file outside the workspace. The file's bytes are only ever decoded and parsed as TOML.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header


class UploadError(ValueError):
    """A request that does not carry a file the way the upload form sends it."""


@dataclass
class Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    data: bytearray = field(default_factory=bytearray)

    @property
    def disposition(self) -> dict[bytes, bytes]:
        _, params = parse_options_header(self.headers.get(b"content-disposition", b""))
        return params


def file_from_multipart(content_type: str, body: bytes, field_name: str) -> tuple[str, bytes]:
    """The (file name, bytes) of the form field ``field_name`` of a multipart body."""
    ctype, params = parse_options_header(content_type.encode("latin-1", "replace"))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise UploadError("send the scenario as a file from the upload form (multipart/form-data)")
    parts: list[Part] = []
    header_field = bytearray()
    header_value = bytearray()

    def on_part_begin() -> None:
        parts.append(Part())

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1].data += data[start:end]

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        parts[-1].headers[bytes(header_field).lower()] = bytes(header_value)
        header_field.clear()
        header_value.clear()

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_part_data": on_part_data,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except Exception as err:  # python-multipart raises its own error types
        raise UploadError(f"the upload is not a well-formed multipart form ({err})") from None
    for part in parts:
        disp = part.disposition
        if disp.get(b"name") == field_name.encode():
            filename = disp.get(b"filename", b"").decode("utf-8", "replace")
            return filename, bytes(part.data)
    raise UploadError(f"the form has no file field {field_name!r}")
