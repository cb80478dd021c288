#!/usr/bin/env bash
# prepare.sh builds, on this machine, everything bench/gpu/run.sh needs on a
# lent GPU machine, which has no Go toolchain and no network: the bench,
# device/gl, device/devicetest and internal/crossdevice test binaries, the
# tensorgl command and the cnn and rnn examples (stripped, gzipped; the
# examples without plotting), the shared libraries they link as a fallback
# for ones missing there, and Fashion-MNIST. The folder is git-ignored: carry it with the run.
#
# usage: bench/gpu/prepare.sh [dir]        (default bench/gpu/prepared)
#
# The device tool sends the working tree (tracked and untracked files that
# git does not ignore) plus the carried paths, at most 64 MiB in all; this
# script measures that total and fails when it is over, after dropping the
# dataset if that alone makes it fit (the examples then use their embedded
# 4000-image sample). Binaries and libraries are gzipped (gzip is on every
# Debian and Ubuntu); run.sh unpacks them into a temporary folder.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
dir=${1:-bench/gpu/prepared}
limit=$((64 * 1024 * 1024))
data_src=${TENSORGL_DATA:-/usr/share/datasets/fashion-mnist}

rm -rf "$dir"
mkdir -p "$dir/bin" "$dir/lib"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Stripped (-s -w), no build paths; cgo on, so device/gl links libEGL/libGL
# dynamically: on the GPU machine glvnd hands the calls to NVIDIA's driver.
export CGO_ENABLED=1
flags=(-trimpath -ldflags='-s -w')
for pkg in bench device/gl device/devicetest internal/crossdevice; do
	echo "build $pkg test binary"
	go test -c "${flags[@]}" -o "$tmp/$(basename "$pkg").test" "./$pkg"
done
# The examples without the plotting library (tag noplot: their curves as
# CSV tables instead of PNG images): its fonts are 4 MiB of each program.
go build "${flags[@]}" -o "$tmp/tensorgl" ./cmd/tensorgl
for pkg in examples/cnn examples/rnn; do
	echo "build $pkg (noplot)"
	go build "${flags[@]}" -tags noplot -o "$tmp/$(basename "$pkg")" "./$pkg"
done

# Every shared library the binaries load (devicetest.test is pure Go,
# static), except the C library's own, which the GPU machine's must
# provide: run.sh puts a copy on the library path only for what is
# missing there.
for f in "$tmp"/*; do ldd "$f" 2>/dev/null || true; done | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u |
	grep -Ev '/(libc|libm|libdl|libpthread|librt|ld-linux[^/]*)\.so' |
	while read -r lib; do gzip -9c "$lib" >"$dir/lib/$(basename "$lib").gz"; done
for f in "$tmp"/*; do
	gzip -9c "$f" >"$dir/bin/$(basename "$f").gz"
done

if ls "$data_src"/train-images-idx3-ubyte* >/dev/null 2>&1; then
	mkdir -p "$dir/data/fashion-mnist"
	cp "$data_src"/*-ubyte* "$dir/data/fashion-mnist/"
else
	echo "no Fashion-MNIST in $data_src: the examples will use their embedded sample"
fi

# What travels: tracked and untracked-not-ignored files, and the folder.
travelling() {
	{ git ls-files -z -c -o --exclude-standard | xargs -0 stat -c %s 2>/dev/null || true; } | awk '{s += $1} END {print s + 0}'
}
tree=$(travelling)
size() { du -sb "$1" | cut -f1; }
if [ -d "$dir/data" ] && ((tree + $(size "$dir") > limit && tree + $(size "$dir") - $(size "$dir/data") <= limit)); then
	echo "over the 64 MiB the device tool sends: dropping the dataset ($(du -sh "$dir/data" | cut -f1))"
	rm -rf "$dir/data"
fi

{
	echo "tensorgl GPU run, prepared $(date -u +%FT%TZ) on $(uname -srm)"
	echo "commit: $(git rev-parse HEAD)$(git diff --quiet HEAD -- . ':!bench/gpu/prepared' || echo ' (with uncommitted changes)')"
	echo "$(go version); CGO_ENABLED=1 -trimpath -ldflags='-s -w'; gzip -9"
	echo
	(cd "$dir" && find . -type f ! -name MANIFEST.txt | sort | xargs sha256sum)
} >"$dir/MANIFEST.txt"

total=$((tree + $(size "$dir")))
mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b / 1048576}'; }
echo
du -sh "$dir"/* | sed 's/^/  /'
echo "prepared: $dir, $(mib "$(size "$dir")"); with the working tree ($(mib "$tree")) the device tool sends $(mib "$total") of 64 MiB"
if ((total > limit)); then
	echo "OVER the limit: the largest files that travel:"
	git ls-files -z -c -o --exclude-standard | xargs -0 stat -c '%s %n' 2>/dev/null | sort -rn | head -5 |
		awk '{printf "  %.1f MiB  %s\n", $1 / 1048576, $2}'
	exit 2
fi
echo "run it with the device tool's run: carry [\"$dir\"], command \"bash bench/gpu/run.sh\", timeout_s 600"
