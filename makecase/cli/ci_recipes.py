"""Command line, `makecase init --ci github|gitlab`: the CI workflow and requirements.txt a new
project starts with, pinned to the makecase that wrote them.

The workflow checks the content, builds the pack in shards, merges them, checks the merged pack
and keeps it as an artifact; examples/ holds the same recipes, and tests/test_init_ci.py
validates both against the CI's schemas and runs their commands.

GitHub actions are pinned to commit SHAs (the release tag in a comment): a tag can be moved, a
commit cannot. The SHAs were not read from GitHub itself (it cannot be reached where makecase is
developed) but from many independent public workflows that pin the same release to the same
commit; check them with `git ls-remote https://github.com/actions/checkout refs/tags/v6.0.2`.
"""

from __future__ import annotations

import json
from importlib import metadata

from makecase.version import __version__

# The current (Node 24) generation of GitHub's own actions.
ACTIONS = {
    "checkout": "actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd  # v6.0.2",
    "setup-python": "actions/setup-python@a309ff8b426b58ec0e2a45f0f869d46889d02405  # v6.2.0",
    "upload-artifact": "actions/upload-artifact@043fb46d1a93c77aae656e7c1c64a875d1fc6a0a  # v7.0.1",
    "download-artifact": "actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c  # v8.0.1",
    "cache": "actions/cache@cdf6c1fa76f9f475f3d7449005a359c84ca0f306  # v5.0.3",
}
SHARDS = 4
PANGO = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"

GITHUB = """\
# Build this project's pack on {shards} runners at once, merge it, check it and keep it as the
# `pack` artifact. Written by `makecase init --ci github` (makecase {version}).
#
# Errors and warnings show on the pull request's files, and each job's page has a summary.
# For a small pack, `shard: [1]` is a whole build. Every runner must run the same makecase
# (merge refuses shards from another): requirements.txt pins it.
name: Build the pack

on:
  push:
    branches: [main]
  pull_request:

permissions:
  contents: read

jobs:
  shard:
    name: Build shard ${{{{ matrix.shard }}}}
    runs-on: ubuntu-24.04
    strategy:
      matrix:
        # One runner per shard: 1 to N. N is the number of entries (strategy.job-total).
        shard: [{shard_list}]
    steps:
      - uses: {checkout}
        with:
          persist-credentials: false
      - uses: {setup_python}
        with:
          python-version: "3.12"
          cache: pip
          cache-dependency-path: requirements.txt
      # Pango lays the pages out; libharfbuzz-subset0 makes writing PDFs about ten times faster.
      - run: sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends {pango}
      - run: pip install -r requirements.txt
      - name: Restore this shard's previous pages
        # A shard remakes only its pages whose content changed (makecase compares each page's
        # inputs with its folder's manifest.json).
        uses: {cache}
        with:
          path: shards/shard-${{{{ matrix.shard }}}}
          key: shard-${{{{ matrix.shard }}}}-of-${{{{ strategy.job-total }}}}-${{{{ github.sha }}}}
          restore-keys: shard-${{{{ matrix.shard }}}}-of-${{{{ strategy.job-total }}}}-
      - name: Check the content
        run: makecase validate --strict
      - name: Build shard ${{{{ matrix.shard }}}} of ${{{{ strategy.job-total }}}}
        run: makecase build --strict --shard ${{{{ matrix.shard }}}}/${{{{ strategy.job-total }}}} --out shards/shard-${{{{ matrix.shard }}}}
      - uses: {upload_artifact}
        with:
          name: shard-${{{{ matrix.shard }}}}
          path: shards/shard-${{{{ matrix.shard }}}}/
          if-no-files-found: error
          retention-days: 1

  merge:
    needs: shard
    runs-on: ubuntu-24.04
    steps:
      - uses: {checkout}
        with:
          persist-credentials: false
      - uses: {setup_python}
        with:
          python-version: "3.12"
          cache: pip
          cache-dependency-path: requirements.txt
      # The check lays every page out again in memory, so this job needs Pango too.
      - run: sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends {pango}
      - run: pip install -r requirements.txt
      - uses: {download_artifact}
        with:
          # One folder per artifact: shards/shard-1, shards/shard-2, ...
          pattern: shard-*
          path: shards
      - name: Merge the shards into one pack
        # Refuses (exit 2, nothing written) a missing or duplicated shard, shards of other
        # content or another makecase version, and a file that changed on the way.
        run: makecase merge --out pack shards/shard-*
      - name: Check every page
        run: makecase check --strict
      - uses: {upload_artifact}
        with:
          name: pack
          path: pack/
          if-no-files-found: error
      # To publish with GitHub Pages: set Settings > Pages > Source to "GitHub Actions", set
      # site_url in makecase.yaml, then add actions/upload-pages-artifact (path: pack/) here and a
      # `deploy` job with actions/deploy-pages, each pinned to a commit like the actions above.
"""

GITLAB = """\
# Build this project's pack on {shards} runners at once, merge it, check it and keep it in
# public/. Written by `makecase init --ci gitlab` (makecase {version}).
#
# Errors and warnings show on the merge request (a code-quality report). For a small pack,
# `parallel: 1` is a whole build (keep `parallel`: without it CI_NODE_INDEX is unset). Every job
# must run the same makecase (merge refuses shards from another): requirements.txt pins it.
# Rename the `merge` job `pages` to publish public/ with GitLab Pages.

stages: [build, merge]

default:
  image: python:3.12-slim-bookworm
  before_script:
    - apt-get update -qq
    # Pango lays the pages out; libharfbuzz-subset0 makes writing PDFs about ten times faster.
    - apt-get install -y -qq --no-install-recommends {pango}
    - pip install -r requirements.txt

variables:
  PIP_CACHE_DIR: "$CI_PROJECT_DIR/.cache/pip"

build-shard:
  stage: build
  parallel: {shards}
  cache:
    - key:
        files: [requirements.txt]
      paths: [.cache/pip]
    # This shard's previous pages: a shard remakes only the pages whose content changed.
    - key: shard-$CI_NODE_INDEX-of-$CI_NODE_TOTAL
      paths: [shards/]
  script:
    - makecase validate --strict --code-quality quality/validate.json
    - makecase build --strict --shard "$CI_NODE_INDEX/$CI_NODE_TOTAL" --out "shards/$CI_NODE_INDEX" --code-quality quality/build.json
  artifacts:
    # Each job's artifact holds only its own shards/K, so the merge job gets shards/1 to shards/N.
    paths: [shards/]
    expire_in: 1 day
    when: always
    reports:
      codequality: [quality/validate.json, quality/build.json]

merge:
  stage: merge
  needs: [build-shard]
  script:
    # Refuses (exit 2, nothing written) a missing or duplicated shard, shards of other content
    # or another makecase version, and a file that changed on the way.
    - makecase merge --out public shards/*
    - makecase check --strict --code-quality quality/check.json
  artifacts:
    paths: [public/]
    when: always
    reports:
      codequality: quality/check.json
"""


def requirement() -> str:
    """requirements.txt pinning the running makecase: the very commit or file it was installed
    from when pip recorded one online (PEP 610), else its version from the package index."""
    try:
        direct = json.loads(metadata.distribution("makecase").read_text("direct_url.json") or "null")
    except (metadata.PackageNotFoundError, ValueError):
        direct = None
    url = (direct or {}).get("url", "")
    if url.startswith(("https://", "ssh://", "git+")):
        vcs = direct.get("vcs_info")
        if vcs:
            pin = f"makecase @ {vcs['vcs']}+{url}@{vcs['commit_id']}"
            tag = f" (installed from {vcs['requested_revision']})" if vcs.get("requested_revision") else ""
            return f"# makecase {__version__}{tag}, pinned to its commit.\n{pin}\n"
        return f"# makecase {__version__}, pinned to the file it was installed from.\n{url}\n"
    return (f"# makecase {__version__}. Every CI job must run this same version.\n"
            "# Before makecase is on PyPI, install it from its release instead: replace the line\n"
            "# below with the pin its release page gives, e.g.\n"
            f"#   makecase @ git+https://github.com/OWNER/makecase@v{__version__}\n"
            f"makecase=={__version__}\n")


def ci_files(ci: str) -> dict[str, str]:
    """The files `makecase init --ci CI` adds to a new project, by path."""
    values = {"shards": SHARDS, "shard_list": ", ".join(str(k) for k in range(1, SHARDS + 1)),
              "version": __version__, "pango": PANGO,
              **{name.replace("-", "_"): action for name, action in ACTIONS.items()}}
    recipe = {"github": (".github/workflows/build-pack.yml", GITHUB), "gitlab": (".gitlab-ci.yml", GITLAB)}[ci]
    return {recipe[0]: recipe[1].format(**values), "requirements.txt": requirement()}
