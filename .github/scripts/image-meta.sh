#!/usr/bin/env bash
# Works out what the image workflow builds and how it tags it, from package.json:
#   version              the action's version (package.json "version")
#   claude-code-version  the ONE pin of Claude Code: devDependencies["@anthropic-ai/claude-code"]
#                        with a leading ^ or ~ stripped; the image gets nothing else
#   image                ghcr.io/<owner>/<repo>, lower-cased (GHCR wants lower case)
#   version-tag          true when this build may carry the tag v<version>, the tag the
#                        action pulls by default (src/version.ts: <imageRepository>:v<version>)
# and writes them to $GITHUB_OUTPUT.
#
# v<version> is pushed from a version tag that names this version (v1.2.3, or an alias
# v1 / v1.2 of it), and from the default branch while v<version> is not yet released:
# main's action then runs main's image. Once the git tag v<version> exists, its image
# is the release's and main no longer overwrites it (bump the version after a release).
#
# Environment: GITHUB_REPOSITORY, GITHUB_REF, GITHUB_OUTPUT,
# DEFAULT_BRANCH; PACKAGE_JSON (default package.json); REMOTE (default origin), the
# git remote asked whether the tag v<version> exists.
set -euo pipefail

package_json=${PACKAGE_JSON:-package.json}
remote=${REMOTE:-origin}

fail() {
  echo "::error title=image metadata::$1"
  exit 1
}

version=$(jq -er '.version' "$package_json") || fail "$package_json has no version"
semver='^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'
[[ $version =~ $semver ]] || fail "package.json version '$version' is not a semantic version"

pin=$(jq -er '.devDependencies["@anthropic-ai/claude-code"]' "$package_json") \
  || fail "package.json has no devDependency @anthropic-ai/claude-code (the Claude Code pin)"
claude_code_version=${pin#[~^]}
[[ $claude_code_version =~ $semver ]] \
  || fail "the Claude Code pin '$pin' is not one version: pin @anthropic-ai/claude-code exactly"

configured=$(jq -er '.config.imageRepository' "$package_json") \
  || fail "package.json has no config.imageRepository"
repository=${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set}
image="ghcr.io/${repository,,}"
# The canonical repository is the one package.json names; there the published image
# must be the one the action pulls. A fork publishes to its own GHCR namespace.
canonical=$(jq -r '.repository.url // ""' "$package_json" | sed -E 's#^(git\+)?https://github\.com/##; s#\.git$##')
if [[ $image != "$configured" ]]; then
  if [[ ${repository,,} == "${canonical,,}" ]]; then
    fail "this repository publishes $image but package.json config.imageRepository is $configured"
  fi
  echo "::notice title=image metadata::publishing to $image; the action's default image stays $configured (package.json config.imageRepository) unless that is changed or the image input is given"
fi

ref=${GITHUB_REF:?GITHUB_REF is not set}
version_tag=false
case $ref in
  refs/tags/*)
    tag=${ref#refs/tags/}
    # v1.2.3 itself, or an alias v1 / v1.2 that moves along with it.
    if [[ v$version == "$tag" || v$version == "$tag".* ]]; then
      version_tag=true
    else
      fail "tag $tag does not name package.json version $version: set the version, then tag v$version"
    fi
    ;;
  refs/heads/*)
    branch=${ref#refs/heads/}
    if [[ $branch != "${DEFAULT_BRANCH:?DEFAULT_BRANCH is not set}" ]]; then
      version_tag=false
    else
      status=0
      git ls-remote --exit-code --tags "$remote" "refs/tags/v$version" >/dev/null || status=$?
      case $status in
        0) echo "::notice title=image metadata::v$version is released (tag v$version exists): main does not overwrite its image; bump package.json version for the next one" ;;
        2) version_tag=true ;;
        *) fail "could not ask $remote whether tag v$version exists (git ls-remote exit $status)" ;;
      esac
    fi
    ;;
  *) version_tag=false ;; # refs/pull/N/merge: a pull request's build pushes nothing
esac

{
  echo "version=$version"
  echo "claude-code-version=$claude_code_version"
  echo "image=$image"
  echo "version-tag=$version_tag"
} >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
echo "image $image, action v$version, Claude Code $claude_code_version, tag v$version: $version_tag"
