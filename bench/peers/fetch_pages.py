#!/usr/bin/env python3
"""Save a mock year's index and up to N abstract pages to DIR (for the parse
benchmark): DIR/index.html, DIR/pages/<name>.html and DIR/pages.txt (one path
a line).  Only ever pointed at the mock site on 127.0.0.1."""
import concurrent.futures
import os
import re
import sys
import urllib.request


def main():
    base, year, out, limit = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    assert base.startswith("http://127.0.0.1:"), "the mock site only"
    os.makedirs(os.path.join(out, "pages"), exist_ok=True)
    index = urllib.request.urlopen(f"{base}/paper_files/paper/{year}").read()
    with open(os.path.join(out, "index.html"), "wb") as f:
        f.write(index)
    links = []
    for m in re.finditer(rb'href="([^"]*/hash/[0-9a-f]{32}-Abstract[^"]*)"', index):
        link = m.group(1).decode()
        if link not in links:
            links.append(link)
    links = links[:limit]

    def get(link):
        path = os.path.join(out, "pages", link.rsplit("/", 1)[1])
        with urllib.request.urlopen(base + link) as r, open(path, "wb") as f:
            f.write(r.read())
        return path

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        paths = list(ex.map(get, links))
    with open(os.path.join(out, "pages.txt"), "w") as f:
        f.write("".join(p + "\n" for p in paths))
    print(len(paths))


if __name__ == "__main__":
    main()
