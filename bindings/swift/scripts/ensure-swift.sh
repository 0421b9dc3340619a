#!/usr/bin/env bash
# Prints the command prefix that runs Swift here, installing a toolchain if there is none.
#
# A native `swift` (macOS, or Linux with a Swift toolchain) is used as it is. Otherwise Debian
# trixie's `swiftlang` is installed into a chroot cached outside the repository (about 530 MB
# downloaded once): bookworm's glibc is too old for it. Needs root (debootstrap, chroot).
set -euo pipefail

if command -v swift >/dev/null 2>&1; then
  echo native
  exit 0
fi

cache="${MYNASIGN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mynasign}"
root="$cache/swift-trixie"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

# usr/bin/swift is an absolute symlink (/usr/libexec/...): test the real binary, which is only
# there once the install finished.
if [ ! -x "$root/usr/libexec/swift/bin/swift" ]; then
  echo "installing Swift (Debian trixie swiftlang) into $root, once" >&2
  if ! command -v debootstrap >/dev/null 2>&1; then
    apt-get update >&2 && apt-get install -y --no-install-recommends debootstrap >&2
  fi
  mkdir -p "$cache"
  tmp="$root.partial"
  rm -rf "$tmp"
  debootstrap --variant=minbase trixie "$tmp" "$mirror" >&2
  # apt inside the chroot wants /proc and /dev/null; mount them in a private namespace so
  # nothing stays mounted.
  unshare --mount --fork bash -euc '
    mount -t proc proc "$1/proc"
    mount --bind /dev "$1/dev"
    chroot "$1" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get update
    chroot "$1" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y --no-install-recommends swiftlang libc6-dev
    chroot "$1" apt-get clean
  ' _ "$tmp" >&2
  rm -rf "$root"
  mv "$tmp" "$root"
fi
echo "$root"
