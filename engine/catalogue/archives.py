"""A procedure as one zip: `<code>/metadata.json` and its files, the layout of `processes/`.

Unzipped into `processes/` it is a shipped folder; uploaded to the publish API it publishes.
Read with limits, since it comes from outside: a bounded number of members and bytes (the
sizes the archive declares are not trusted: members are read in bounded chunks), no paths
leaving the folder, no nested folders, only the kinds of file a procedure has."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from engine.errors import InvalidData

METADATA_FILE = "metadata.json"
MAX_MEMBERS = 51
"""metadata.json and at most 50 files, as the publish API takes."""
MAX_TOTAL_BYTES = 20 * 1024 * 1024
FILE_KINDS = (".bpmn", ".dmn", ".form.json")


def pack(code: str, metadata: dict[str, Any], files: dict[str, bytes]) -> bytes:
    """The zip of a procedure version: `<code>/metadata.json` then each file, sorted."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        text = json.dumps(metadata, ensure_ascii=False, indent=2) + "\n"
        archive.writestr(f"{code}/{METADATA_FILE}", text)
        for name in sorted(files):
            archive.writestr(f"{code}/{name}", files[name])
    return buffer.getvalue()


def unpack(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The metadata (as written in metadata.json) and the files of a procedure zip; InvalidData
    in words for anything else."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _refused("Tệp không phải là zip (not a zip file).") from exc
    with archive:
        members = [member for member in archive.infolist() if not member.is_dir()]
        if not members or len(members) > MAX_MEMBERS:
            raise _refused(f"Zip cần từ 1 đến {MAX_MEMBERS} tệp (1 to {MAX_MEMBERS} files).")
        contents: dict[str, bytes] = {}
        room = MAX_TOTAL_BYTES
        for member in members:
            name = _member_name(member.filename)
            content = _read_bounded(archive, member, room)
            room -= len(content)
            if name in contents:
                raise _refused(f"Tệp “{name}” có hai lần trong zip (a file appears twice).")
            contents[name] = content
    raw_metadata = contents.pop(METADATA_FILE, None)
    if raw_metadata is None:
        raise _refused("Zip thiếu metadata.json (the zip has no metadata.json).")
    try:
        metadata = json.loads(raw_metadata.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _refused("metadata.json không phải JSON (metadata.json is not JSON).") from exc
    if not isinstance(metadata, dict):
        raise _refused("metadata.json phải là một đối tượng (metadata.json must be an object).")
    return metadata, contents


def _member_name(path: str) -> str:
    """The member's file name: at most one folder above it (the procedure's), nothing else."""
    parts = [part for part in path.replace("\\", "/").split("/") if part]
    if not parts or len(parts) > 2 or any(part in (".", "..") for part in parts):
        raise _refused(
            f"Đường dẫn không hợp lệ trong zip: {path!r} (a path in the zip is refused)."
        )
    name = parts[-1]
    if name.startswith(".") or not (name == METADATA_FILE or name.endswith(FILE_KINDS)):
        raise _refused(
            f"Tệp “{name}” không được nhận: chỉ metadata.json, .bpmn, .dmn, .form.json "
            "(only metadata.json and .bpmn, .dmn, .form.json files)."
        )
    return name


def _read_bounded(archive: zipfile.ZipFile, member: zipfile.ZipInfo, room: int) -> bytes:
    chunks, size = [], 0
    with archive.open(member) as stream:
        while chunk := stream.read(64 * 1024):
            size += len(chunk)
            if size > room:
                raise _refused(
                    f"Zip quá lớn khi giải nén (over {MAX_TOTAL_BYTES // (1024 * 1024)} MB "
                    "unpacked)."
                )
            chunks.append(chunk)
    return b"".join(chunks)


def _refused(message: str) -> InvalidData:
    return InvalidData(message, {"files": [message]})
