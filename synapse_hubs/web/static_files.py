# SPDX-License-Identifier: AGPL-3.0-or-later
"""Serve the join page's static files (bundle, stylesheet) from synapse_hubs/web/static.

Only files below the static folder with a known extension are served, so a
crafted path (`..`, encoded slashes, symlinks pointing outside) gets 404.
Files are read once and kept in memory until their size or mtime changes,
which keeps blocking disk reads off the reactor after the first request.
"""

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from twisted.web.resource import Resource
from twisted.web.server import Request

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"

CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".wasm": "application/wasm",
}

# A request whose `?v=` names the current content hash gets a response that
# never changes, so browsers may keep it for a year without asking again.
IMMUTABLE_CACHE = b"public, max-age=31536000, immutable"
REVALIDATE_CACHE = b"no-cache"


@dataclass(frozen=True)
class StaticFile:
    content: bytes
    content_type: str
    etag: str
    mtime_ns: int
    size: int


class StaticFileCache:
    """Read static files by relative path, refusing anything outside `root`."""

    def __init__(self, root: Path = STATIC_DIR) -> None:
        self._root = root.resolve()
        self._files: dict[Path, StaticFile] = {}

    def get(self, segments: list[str]) -> StaticFile | None:
        path = self._resolve(segments)
        if path is None:
            return None

        try:
            stat = path.stat()
        except OSError:
            return None

        cached = self._files.get(path)
        if cached and cached.mtime_ns == stat.st_mtime_ns and cached.size == stat.st_size:
            return cached

        content = path.read_bytes()
        entry = StaticFile(
            content=content,
            content_type=CONTENT_TYPES[path.suffix],
            etag='"' + hashlib.sha256(content).hexdigest()[:32] + '"',
            mtime_ns=stat.st_mtime_ns,
            size=stat.st_size,
        )
        self._files[path] = entry
        return entry

    def version(self, relative_path: str) -> str:
        """Return a short content hash for cache-busting URLs, or "missing"."""
        entry = self.get(relative_path.split("/"))
        if entry is None:
            return "missing"
        return entry.etag.strip('"')[:16]

    def _resolve(self, segments: list[str]) -> Path | None:
        if not segments:
            return None
        for segment in segments:
            # Twisted has already percent-decoded each segment, so an encoded
            # "%2F" or "%5C" shows up here as a separator inside one segment.
            if segment in ("", ".", "..") or "/" in segment or "\\" in segment or "\0" in segment:
                return None

        path = self._root.joinpath(*segments)
        if path.suffix not in CONTENT_TYPES:
            return None

        # resolve() follows symlinks, so a link that points outside the static
        # folder is refused as well.
        resolved = path.resolve()
        if os.path.commonpath([resolved, self._root]) != str(self._root):
            return None
        if not resolved.is_file():
            return None
        return resolved


class StaticFilesResource(Resource):
    """GET /_synapse/client/hubs/static/<path>."""

    isLeaf = True

    def __init__(self, files: StaticFileCache) -> None:
        super().__init__()
        self._files = files

    def render_GET(self, request: Request) -> bytes:
        segments = [segment.decode("utf-8", errors="replace") for segment in request.postpath]
        entry = self._files.get(segments)
        if entry is None:
            request.setResponseCode(404)
            request.setHeader(b"Content-Type", b"text/plain; charset=utf-8")
            return b"Not found\n"

        request.setHeader(b"Content-Type", entry.content_type.encode("ascii"))
        request.setHeader(b"X-Content-Type-Options", b"nosniff")
        request.setHeader(b"ETag", entry.etag.encode("ascii"))
        request.setHeader(b"Cache-Control", self._cache_control(request, entry))
        request.setHeader(b"Cross-Origin-Resource-Policy", b"same-origin")

        if request.getHeader(b"If-None-Match") == entry.etag.encode("ascii"):
            request.setResponseCode(304)
            return b""
        return entry.content

    @staticmethod
    def _cache_control(request: Request, entry: StaticFile) -> bytes:
        requested_versions = (request.args or {}).get(b"v", [])
        current_version = entry.etag.strip('"')[:16].encode("ascii")
        if requested_versions == [current_version]:
            return IMMUTABLE_CACHE
        return REVALIDATE_CACHE
