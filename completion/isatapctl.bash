# bash completion for isatapctl(8).
# Commands, their verbs, the options, socket paths after -s, and for
# `router del` and `solicit` the routers the running daemon has.

# The routers in the daemon's list, from the readable `routers` output
# ("router:  192.0.2.254"), so that neither jq nor --json is needed.
_isatapctl_routers()
{
	local -a sock=()
	[[ -n $1 ]] && sock=(-s "$1")
	"${COMP_WORDS[0]}" "${sock[@]}" routers 2>/dev/null | while read -r key value; do
		[[ $key == router: ]] && printf '%s\n' "$value"
	done
}

_isatapctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="status routers router refresh solicit stats monitor doctor help"
	local options="-s --socket= -j --json --json=pretty --json=short -h --help -V --version"
	local -a words=()
	local socket="" i w skip=0

	# The words typed so far, options taken out; -s takes the next word.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((skip)); then
			socket=$w
			skip=0
			continue
		fi
		case $w in
		-s | --socket) skip=1 ;;
		--socket=*) socket=${w#--socket=} ;;
		-s?*) socket=${w#-s} ;;
		-*) ;;
		*) words+=("$w") ;;
		esac
	done

	case $prev in
	-s | --socket)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	esac
	if [[ $cur == --socket=* ]]; then
		mapfile -t COMPREPLY < <(compgen -f -P --socket= -- "${cur#--socket=}")
		return
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
		[[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
		return
	fi

	case ${#words[@]} in
	0)
		mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
		;;
	1)
		case ${words[0]} in
		router) mapfile -t COMPREPLY < <(compgen -W "add del" -- "$cur") ;;
		solicit) mapfile -t COMPREPLY < <(compgen -W "$(_isatapctl_routers "$socket")" -- "$cur") ;;
		esac
		;;
	2)
		if [[ ${words[0]} == router && ${words[1]} == del ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_isatapctl_routers "$socket")" -- "$cur")
		fi
		;;
	esac
}

complete -F _isatapctl isatapctl
