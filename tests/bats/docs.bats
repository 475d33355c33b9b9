#!/usr/bin/env bats
# The installed man pages and bash, zsh and fish completions, checked
# against what warren itself says: the commands `warren --help` and each
# group's --help list, and the options each command's --help prints (all
# three come from the same tables, so any drift is a bug of the generator).

bats_require_minimum_version 1.5.0

load lifecycle_helpers

MAN1=$WARREN_PREFIX/share/man/man1
BASH_COMPL=$WARREN_PREFIX/share/bash-completion/completions/warren
ZSH_COMPL=$WARREN_PREFIX/share/zsh/site-functions/_warren
FISH_COMPL=$WARREN_PREFIX/share/fish/vendor_completions.d/warren.fish

setup() { lc_setup; }
teardown() { lc_teardown; }

# Each command's --help and each rendered man page are read once for the
# whole file (setup_file), into $BATS_FILE_TMPDIR: the checks below compare
# hundreds of options and would otherwise start warren and man for each.

# help_of ARGS...: what `warren ARGS --help` prints (cached)
help_of() {
	local f="$BATS_FILE_TMPDIR/help/h_${*// /_}"
	[ -f "$f" ] || warren "$@" --help > "$f"
	cat "$f"
}

# help_commands ARGS...: the first words of the "Commands:" list that
# `warren ARGS --help` prints
help_commands() {
	help_of "$@" | awk '/^Commands:/ {on = 1; next} /^$/ {on = 0} on {print $1}'
}

# command_paths: every command as warren's own --help lists it, "run" or
# "image ls", groups included, aliases too; "version" has no options
command_paths() { cat "$BATS_FILE_TMPDIR/paths"; }

# help_options PATH: "-s --long" or "--long" for each option that
# `warren PATH --help` prints, except the spellings it calls aliases
help_options() {
	# shellcheck disable=SC2086 # PATH is one or two words
	help_of $1 | grep -v 'Alias of' |
		sed -nE 's/^ +(-([a-zA-Z]), )?--([a-z0-9-]+).*/\2 \3/p' |
		while read -r a b; do
			if [ -n "$b" ]; then echo "-$a --$b"; else echo "--$a"; fi
		done
}

# page_of PATH: the man page documenting PATH: its own, or for an alias
# (container ps) the page of the command it names, which must say so
page_of() {
	local p=$1 f g s other
	f=$MAN1/warren-${p// /-}.1
	if [ -f "$f" ]; then
		echo "$f"
		return
	fi
	g=${p% *}
	s=${p#* }
	[ "$g" != "$p" ] || return 1
	# the page that names it as an alias, if the two --help agree
	for f in $(grep -l "^Aliases:.*warren $g $s[^a-z]" "$MAN1"/warren-"$g"-*.1); do
		other=$(basename "$f" .1)
		other=${other#warren-"$g"-}
		# shellcheck disable=SC2086
		if [ "$(help_of $p)" = "$(help_of $g $other)" ]; then
			echo "$f"
			return
		fi
	done
	return 1
}

# render PAGE: the page as man shows it, 200 columns, plain text (cached;
# its stderr in $BATS_FILE_TMPDIR/man/NAME.err)
render() { cat "$BATS_FILE_TMPDIR/man/$(basename "$1").txt"; }

render_one() {
	MANWIDTH=200 man -l "$1" 2> "$2/$(basename "$1").err" | col -b > "$2/$(basename "$1").txt"
}

setup_file() {
	local c s
	mkdir -p "$BATS_FILE_TMPDIR/help" "$BATS_FILE_TMPDIR/man"
	for c in $(help_commands); do
		[ "$c" = version ] && continue
		echo "$c"
		if help_of "$c" | grep -q '^Commands:'; then
			for s in $(help_commands "$c"); do echo "$c $s"; done
		fi
	done > "$BATS_FILE_TMPDIR/paths"
	export -f render_one
	printf '%s\0' "$MAN1"/*.1 | xargs -0 -P 4 -I{} bash -c 'render_one "$1" "$2"' _ {} "$BATS_FILE_TMPDIR/man"
}

@test "every command warren --help lists has a man page, and every page a command" {
	local p f n=0 listed=" warren.1 "
	while read -r p; do
		f=$(page_of "$p") || {
			echo "no man page for 'warren $p'"
			return 1
		}
		listed+="$(basename "$f") "
		n=$((n + 1))
	done < <(command_paths)
	[ "$n" -gt 60 ]
	for f in "$MAN1"/*.1; do
		[[ "$listed" == *" $(basename "$f") "* ]] || {
			echo "$f documents no command of warren --help"
			return 1
		}
	done
	render "$MAN1/warren.1" | grep -q -- '--root'
	render "$MAN1/warren.1" | grep -q 'warren-volume(1)'
}

@test "every option of every command's --help is in its man page" {
	local p f o text checked=0
	while read -r p; do
		f=$(page_of "$p")
		text=$(render "$f")
		grep -q "warren $p" <<<"$text" || {
			echo "$f has no synopsis 'warren $p'"
			return 1
		}
		while read -r o; do
			# "-e, --env" or "--rm" as an item of OPTIONS
			[[ $'\n'"$text"$'\n' =~ $'\n'\ +"${o/ /, }"( |$'\n') ]] || {
				echo "$f lacks '$o' (warren $p --help has it)"
				return 1
			}
			checked=$((checked + 1))
		done < <(help_options "$p")
	done < <(command_paths)
	[ "$checked" -gt 150 ]
}

# section FILE PATH: the lines under "@@ PATH" in FILE, up to the next "@@"
section() { awk -v h="@@ $2" '$0 == h {on = 1; next} /^@@ / {on = 0} on' "$1"; }

@test "every option of every command's --help is offered by the bash, zsh and fish completion" {
	local p got want n=0 out=$BATS_TEST_TMPDIR
	command_paths > "$out/paths"
	# bash: the completion function itself, for "warren PATH -"; fish: its
	# own completion engine, for "warren PATH --" and "warren PATH -"; one
	# shell each for every command
	bash -c '. "$1"; while read -r p; do echo "@@ $p"
		COMP_WORDS=(warren $p -); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
		_warren; printf "%s\n" "${COMPREPLY[@]}"; done' _ "$BASH_COMPL" < "$out/paths" > "$out/bash"
	fish -c 'source $argv[1]; while read -l p; echo "@@ $p"
		complete -C "warren $p --"; complete -C "warren $p -"; end' "$FISH_COMPL" < "$out/paths" > "$out/fish"
	while read -r p; do
		want=$(help_options "$p" | tr ' ' '\n' | sort)
		[ -n "$want" ] || continue
		got=$(section "$out/bash" "$p" | grep -v '^$' | sort)
		[ "$got" = "$want" ] || {
			echo "bash, warren $p -<TAB>:"
			diff <(echo "$want") <(echo "$got")
			return 1
		}
		got=$(section "$out/fish" "$p" | cut -f1 | grep -E '^-' | sort -u)
		[ "$got" = "$want" ] || {
			echo "fish, warren $p -<TAB>:"
			diff <(echo "$want") <(echo "$got")
			return 1
		}
		# zsh: the _describe entries of the command's case
		got=$(awk -v p="\"$p\"" '
			/^\t\(/ { on = index($0, p) > 0 }
			on && /^\t\t\t.-/ { sub(/^\t\t\t./, ""); sub(/:.*/, ""); print }
			on && /^\t\t;;/ { on = 0 }' "$ZSH_COMPL" | sort)
		[ "$got" = "$want" ] || {
			echo "zsh, warren $p:"
			diff <(echo "$want") <(echo "$got")
			return 1
		}
		n=$((n + 1))
	done < "$out/paths"
	[ "$n" -gt 60 ]
}

# page_warnings PAGE: groff's warnings for PAGE, and man's stderr at 80
# columns; a page without a NAME section is a warning too
page_warnings() {
	groff -ww -z -man "$1" 2>&1 || echo "$1: groff failed"
	local err
	err=$(mktemp)
	MANWIDTH=80 man -l "$1" 2> "$err" | col -b | grep -q '^NAME' || echo "$1: no NAME"
	[ ! -s "$err" ] || echo "$1: $(cat "$err")"
	rm -f "$err"
}

@test "every man page renders with man and no groff warning" {
	local n
	n=$(printf '%s\n' "$MAN1"/*.1 | wc -l)
	[ "$n" -gt 60 ]
	export -f page_warnings
	run -0 bash -c 'printf "%s\0" "$1"/*.1 | xargs -0 -P 4 -n 1 bash -c '"'"'page_warnings "$1"'"'"' _' _ "$MAN1"
	[ -z "$output" ]
	MANWIDTH=80 man -l "$MAN1/warren-run.1" | col -b | grep -qE '^ +--network MODE$'
}

@test "the completion scripts pass bash -n, zsh -n and fish -n" {
	bash -n "$BASH_COMPL"
	zsh -n "$ZSH_COMPL"
	fish -n "$FISH_COMPL"
	head -1 "$ZSH_COMPL" | grep -qx '#compdef warren'
}

@test "bash: warren run --net<TAB> completes to --network in an interactive bash" {
	tmux_start "exec bash --norc --noprofile -i"
	tmux send-keys -t "$TMUX_SESSION" "PS1='prompt> '; . $BASH_COMPL" Enter
	tmux_wait_for 'prompt> '
	tmux send-keys -t "$TMUX_SESSION" "warren run --net" Tab
	tmux_wait_for 'prompt> warren run --network'
	# subcommands too: "volume r" has two, "volume pr" one
	tmux send-keys -t "$TMUX_SESSION" C-u "warren volume pr" Tab
	tmux_wait_for 'prompt> warren volume prune'
}

@test "zsh: warren run --net<TAB> completes to --network with compinit" {
	tmux_start "exec zsh -f"
	local init="fpath=(${ZSH_COMPL%/*} \$fpath); autoload -U compinit; compinit -u"
	tmux send-keys -t "$TMUX_SESSION" "$init; PS1='prompt> '" Enter
	tmux_wait_for 'prompt> '
	tmux send-keys -t "$TMUX_SESSION" "warren run --net" Tab
	tmux_wait_for 'prompt> warren run --network'
	tmux send-keys -t "$TMUX_SESSION" C-u "warren volume pr" Tab
	tmux_wait_for 'prompt> warren volume prune'
}

# complete_as_user WORDS...: what bash completion offers the test user for
# "$WARREN WORDS", the last word being the one completed
complete_as_user() {
	as_user bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_warren; printf "%s\n" "${COMPREPLY[@]}"' _ "$BASH_COMPL" "$WARREN" "$@" | sort
}

@test "completion offers container, image and volume names that warren lists" {
	base_image
	warren volume create vol-a >/dev/null
	warren volume create vol-b >/dev/null
	warren create --name box-1 --rootfs "$ROOTFS" true >/dev/null
	warren run -d --name box-2 --rootfs "$ROOTFS" sleep infinity >/dev/null
	wait_state box-2 running
	# every container for rm, only running ones for stop, as ps and ps -a say
	[ "$(complete_as_user rm box)" = "$(warren ps -a --format '{{.Names}}' | sort)" ]
	[ "$(complete_as_user stop '')" = box-2 ]
	[ "$(complete_as_user container logs box-)" = "$(printf 'box-1\nbox-2')" ]
	[ "$(complete_as_user volume rm '')" = "$(warren volume ls -q | sort)" ]
	[ "$(complete_as_user volume rm vol-b)" = vol-b ]
	# images as warren images names them (docker.io/library/base:1)
	[ "$(complete_as_user rmi '')" = "$(warren images --format '{{.Repository}}:{{.Tag}}')" ]
	[[ "$(complete_as_user rmi '')" == *base:1 ]]
	[ "$(complete_as_user --root /nonexistent rm '')" = "" ]
	# an option's value is not taken for an operand
	[ "$(complete_as_user logs --tail '')" != "$(complete_as_user logs '')" ]
	# fish asks warren the same way
	got=$(as_user fish -c 'source $argv[1]; complete -C "$argv[2] volume rm "' \
		"$FISH_COMPL" "$WARREN" | cut -f1 | sort)
	[ "$got" = "$(printf 'vol-a\nvol-b')" ]
}

@test "every command group's --help lists its commands and exits 0" {
	local g s
	for g in image container system volume; do
		run -0 --separate-stderr warren "$g" --help
		[ -z "$stderr" ]
		[[ "${lines[0]}" == "Usage: warren $g COMMAND"* ]]
		for s in $(help_commands "$g"); do
			# shellcheck disable=SC2086
			run -0 warren $g $s --help
			[[ "$output" == *"Usage: warren"* ]]
		done
		run -0 warren "$g" -h
	done
	run -0 warren volume --help
	[[ "$output" == *"  prune "*"Remove unused volumes"* ]]
	run --separate-stderr warren volume frob
	[ "$status" -eq 1 ]
	[ "$stderr" = "warren: unknown command \"volume frob\" (see 'warren volume --help')" ]
}
