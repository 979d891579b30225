# SPDX-License-Identifier: AGPL-3.0-or-later
"""StaticFileCache serves files below its root only."""

from synapse_hubs.web.static_files import StaticFileCache


def make_tree(tmp_path):
    root = tmp_path / "static"
    (root / "bundle").mkdir(parents=True)
    (root / "bundle" / "app.js").write_text("console.log(1)")
    (tmp_path / "secret.js").write_text("secret")
    return root


def test_file_below_root_is_served(tmp_path):
    cache = StaticFileCache(make_tree(tmp_path))

    entry = cache.get(["bundle", "app.js"])

    assert entry is not None
    assert entry.content == b"console.log(1)"
    assert entry.content_type == "text/javascript; charset=utf-8"


def test_symlink_out_of_root_is_refused(tmp_path):
    root = make_tree(tmp_path)
    (root / "link.js").symlink_to(tmp_path / "secret.js")

    assert StaticFileCache(root).get(["link.js"]) is None


def test_dot_segments_and_separators_are_refused(tmp_path):
    cache = StaticFileCache(make_tree(tmp_path))

    for segments in (["..", "secret.js"], ["bundle", "..", "..", "secret.js"],
                     ["bundle/../../secret.js"], ["..\\secret.js"], [""], []):
        assert cache.get(segments) is None, segments


def test_changed_file_is_read_again(tmp_path):
    root = make_tree(tmp_path)
    cache = StaticFileCache(root)
    first = cache.get(["bundle", "app.js"])

    (root / "bundle" / "app.js").write_text("console.log(22)")
    second = cache.get(["bundle", "app.js"])

    assert first.etag != second.etag
    assert second.content == b"console.log(22)"
    assert cache.version("bundle/app.js") == second.etag.strip('"')[:16]
