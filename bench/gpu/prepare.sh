#!/usr/bin/env bash
# prepare.sh builds, on this machine, everything bench/gpu/run.sh needs on a
# lent GPU machine, which has no Go toolchain and no network: the bench,
# device/gl, device/devicetest and internal/crossdevice test binaries, the
# tensorgl command and the cnn and rnn examples (stripped, compressed; the
# examples without plotting), the shared libraries they link as a fallback
# for ones missing there, and Fashion-MNIST. The folder is git-ignored: carry it with the run.
#
# usage: bench/gpu/prepare.sh [dir]        (default bench/gpu/prepared)
#
# The device tool sends the working tree (tracked and untracked files that
# git does not ignore) plus the carried paths, "at most 64 MiB in all"; it
# counts more than the files' bytes: on 2026-12-06 it refused 66.3·10⁶ bytes
# of files (63.3 MiB; 65.8 MiB of 4 KiB blocks) and took 60.1·10⁶. This
# script counts every file and folder in whole 4 KiB blocks, against
# 64·10⁶ bytes (the stricter of the two readings), and fails when the total
# is over, after dropping the dataset if that alone makes it fit (the
# examples then use their embedded 4000-image sample). Binaries, libraries
# and the dataset are compressed by xz where this machine has it (a fifth
# to a quarter smaller than gzip's, 9 MiB of the folder's 53), else gzip;
# run.sh unpacks them into a temporary folder with xz, or Python's lzma
# module where the GPU machine has no xz.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
dir=${1:-bench/gpu/prepared}
limit=64000000
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
	while read -r lib; do cp "$lib" "$tmp/lib-$(basename "$lib")"; done
# pack LEVEL SRC DEST: SRC compressed into DEST.xz (DEST.gz without xz).
if command -v xz >/dev/null; then
	method=xz
	pack() { xz "-$1" -T1 -c "$2" >"$3.xz"; }
else
	method=gzip
	pack() { gzip -9c "$2" >"$3.gz"; }
fi
for f in "$tmp"/*; do
	b=$(basename "$f")
	case $b in
	lib-*) pack 9 "$f" "$dir/lib/${b#lib-}" ;;
	*) pack 9 "$f" "$dir/bin/$b" ;;
	esac
done

if ls "$data_src"/train-images-idx3-ubyte* >/dev/null 2>&1; then
	mkdir -p "$dir/data/fashion-mnist"
	for f in "$data_src"/*-ubyte*; do
		b=$(basename "$f" .gz)
		case $f in
		*.gz) gzip -dc "$f" >"$tmp/$b" ;;
		*) cp "$f" "$tmp/$b" ;;
		esac
		pack 6 "$tmp/$b" "$dir/data/fashion-mnist/$b"
	done
else
	echo "no Fashion-MNIST in $data_src: the examples will use their embedded sample"
fi

# What travels: tracked and untracked-not-ignored files, each in whole 4 KiB
# blocks, a block for each of their folders, and the prepared folder.
files() { { git ls-files -z -c -o --exclude-standard | xargs -0 -n 200 du -c --block-size=4096 2>/dev/null || true; } | awk '$2 == "total" {s += $1} END {print s + 0}'; }
folders() { git ls-files -c -o --exclude-standard | sed -n 's|/[^/]*$||p' | sort -u | wc -l; }
tree=$((($(files) + $(folders) + 1) * 4096))
size() { echo $(($(du -s --block-size=4096 "$1" | cut -f1) * 4096)); }
if [ -d "$dir/data" ] && ((tree + $(size "$dir") > limit && tree + $(size "$dir") - $(size "$dir/data") <= limit)); then
	echo "over the 64 MB the device tool sends: dropping the dataset ($(du -sh "$dir/data" | cut -f1))"
	rm -rf "$dir/data"
fi

{
	echo "tensorgl GPU run, prepared $(date -u +%FT%TZ) on $(uname -srm)"
	echo "commit: $(git rev-parse HEAD)$(git diff --quiet HEAD -- . ':!bench/gpu/prepared' || echo ' (with uncommitted changes)')"
	echo "$(go version); CGO_ENABLED=1 -trimpath -ldflags='-s -w'; $method"
	echo
	(cd "$dir" && find . -type f ! -name MANIFEST.txt | sort | xargs sha256sum)
} >"$dir/MANIFEST.txt"

total=$((tree + $(size "$dir")))
mb() { awk -v b="$1" 'BEGIN {printf "%.1f MB", b / 1e6}'; }
echo
du -sh "$dir"/* | sed 's/^/  /'
echo "prepared: $dir, $(mb "$(size "$dir")") in 4 KiB blocks; with the working tree ($(mb "$tree")) the device tool sends $(mb "$total") of the 64 MB taken as its limit"
if ((total > limit)); then
	echo "OVER the limit: the largest files that travel:"
	git ls-files -z -c -o --exclude-standard | xargs -0 stat -c '%s %n' 2>/dev/null | sort -rn | head -5 |
		awk '{printf "  %.1f MiB  %s\n", $1 / 1048576, $2}'
	exit 2
fi
echo "run it with the device tool's run: carry [\"$dir\"], command \"bash bench/gpu/run.sh\", timeout_s 600"
