# shellcheck shell=bash
# The suites run programs and scripts as other users (nobody, daemon, the
# service users) through setpriv, and a checkout need not be readable by
# them: root's clone under /root (mode 0700) is not. setpriv still holds
# root's capabilities at execve, so a binary starts even from there, but
# whatever is opened after it as the user is refused: a Python tool, the
# headers isatap-dpmsg.py reads, the program valgrind loads. So the suites
# run those files from a copy in a directory of their own under /tmp (0755,
# removed with it), as root and as the other users alike. Sourced by
# tests/integration/lib.sh and tests/service-check.

# readable_copy DIR SRC: copies SRC (a file, or a directory and what is in it)
# into DIR (made 0755 when missing), readable and searchable by all, and
# prints the copy's path. Prints SRC itself when SRC does not exist, so that
# a "not built" message names the build's path.
readable_copy() {
	local dir=$1 src=$2 dst
	dst=$dir/$(basename "$src")
	if [ ! -e "$src" ]; then
		echo "$src"
		return 0
	fi
	if ! { install -d -m 0755 "$dir" && rm -rf "$dst" && cp -R "$src" "$dst" && chmod -R a+rX "$dst"; }; then
		echo "readable_copy: cannot copy $src into $dir" >&2
		echo "$src"
		return 1
	fi
	echo "$dst"
}
