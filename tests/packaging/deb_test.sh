#!/usr/bin/env bash
# Builds hfrun's .deb with cpack from the build folder, checks its Depends and file list, unpacks it
# into a scratch root (dpkg -x, no root needed) and runs the hfrun it holds.
set -euo pipefail
build=$1 scratch=$2 version=$3
for tool in cpack dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 1; }
done
rm -rf "$scratch"
mkdir -p "$scratch"
# The package holds what `all` installs: hfrun and the generated man page and completions.
cmake --build "$build" --target hfrun hfrun_shell_files >"$scratch/build.log" 2>&1 ||
  { cat "$scratch/build.log" >&2; exit 1; }
(cd "$scratch" && cpack --config "$build/CPackConfig.cmake" -G DEB -B "$scratch/out") \
  >"$scratch/cpack.log" 2>&1 || { cat "$scratch/cpack.log" >&2; exit 1; }
debs=("$scratch"/out/hfrun_"$version"_*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || { echo "expected one hfrun_${version}_*.deb" >&2; ls -R "$scratch/out" >&2; exit 1; }
deb=${debs[0]}
echo "built $(basename "$deb")"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libcurl4 libmagic1 libfmt9 libssl3; do
  [[ ",$depends," =~ [,\ ]$lib[\ ,\(] ]] || { echo "Depends lacks $lib: $depends" >&2; exit 1; }
done
[[ $(dpkg-deb -f "$deb" Package) == hfrun ]] || { echo "Package is not hfrun" >&2; exit 1; }
[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] || { echo "Version is not $version" >&2; exit 1; }

root="$scratch/root"
dpkg -x "$deb" "$root"
for file in usr/bin/hfrun usr/share/man/man1/hfrun.1 usr/share/bash-completion/completions/hfrun \
            usr/share/zsh/vendor-completions/_hfrun usr/share/fish/vendor_completions.d/hfrun.fish \
            usr/share/doc/hfrun/README.md usr/share/hfrun/workers; do
  [[ -e $root/$file ]] || { echo "the package lacks /$file" >&2; dpkg-deb -c "$deb" >&2; exit 1; }
done
got=$(env -i PATH=/usr/bin:/bin "$root/usr/bin/hfrun" --version)
[[ $got == "hfrun $version" ]] || { echo "hfrun --version said '$got'" >&2; exit 1; }
# The packaged completion is the packaged hfrun's.
env -i PATH=/usr/bin:/bin "$root/usr/bin/hfrun" completion bash | cmp - "$root/usr/share/bash-completion/completions/hfrun"
echo "the unpacked hfrun runs: $got"
