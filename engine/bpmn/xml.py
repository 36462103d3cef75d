"""Parsing of uploaded XML: no DTD, no entities, no network, bounded size."""

from __future__ import annotations

import re

from lxml import etree

from engine.errors import DiagramInvalid
from engine.errors import Problem
from engine.errors import UnsafeXml

MAX_XML_BYTES = 2 * 1024 * 1024
_DECLARATIONS = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_untrusted(content: bytes, filename: str) -> etree._Element:
    """Return the root element, or raise DiagramInvalid saying why the file was refused."""
    if len(content) > MAX_XML_BYTES:
        raise UnsafeXml(
            f"{filename} is larger than {MAX_XML_BYTES // 1024} KB",
            [Problem("Tệp quá lớn (file too large).", file=filename)],
        )
    if _DECLARATIONS.search(content):
        raise UnsafeXml(
            f"{filename} declares a DOCTYPE or entities, which are not accepted",
            [
                Problem(
                    "Không chấp nhận DOCTYPE hoặc khai báo thực thể (DOCTYPE/entities refused).",
                    file=filename,
                )
            ],
        )
    try:
        return etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        raise DiagramInvalid(
            f"{filename} is not well-formed XML: {exc.msg}",
            [Problem(f"XML không hợp lệ: {exc.msg}", file=filename, line=line)],
        ) from exc
