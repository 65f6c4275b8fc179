# ringfence.bash: bash completion for ringfence: subcommands, the options each prints in
# `ringfence CMD --help`, their values (modes, backends, network modes, approval policies), and
# profile names from the user's config (`ringfence __list-profiles`).  Works with or without the
# bash-completion package.

# The options of `ringfence CMD --help`: "SHORT LONG=" lines (LONG= when it takes a value).
_ringfence_help_options() {
  "$1" "$2" --help 2>/dev/null | sed -n \
    's/^  *\(-[A-Za-z]\), \(--[A-Za-z0-9-]*\)\(=\{0,1\}\).*/\1 \2\3/p; s/^  *\(--[A-Za-z0-9-]*\)\(=\{0,1\}\).*/- \1\2/p'
}

# The values an option takes, one word each; "@dirs", "@files" or "" (free text) otherwise.
_ringfence_values() {
  local rf=$1 cmd=$2 opt=$3 config=$4 modes
  case $opt in
    -s | --sandbox) echo "read-only workspace-write danger-full-access" ;;
    --network)
      # The modes this ringfence offers, from its --help (--network=off|on...).
      modes=$("$rf" "$cmd" --help 2>/dev/null | sed -n 's/^ *--network=\([a-z|]*|[a-z|]*\) .*/\1/p' | tr '|' ' ')
      echo "${modes:-off on}" ;;
    --backend)
      # setup takes a backend by name; auto is a choice at run time.
      if [ "$cmd" = setup ]; then echo "bwrap landlock seatbelt windows"
      else echo "auto bwrap landlock seatbelt windows"; fi ;;
    -a | --ask-for-approval) echo "untrusted on-failure on-request never" ;;
    --request) echo "run escalation rule mcp-elicitation permission skill-script" ;;
    -p | --profile)
      if [ -n "$config" ]; then "$rf" __list-profiles --config "$config" 2>/dev/null
      else "$rf" __list-profiles 2>/dev/null; fi | tr '\n' ' ' ;;
    -C | --cd | --writable-root | --dangerously-allow-writable-root) echo "@dirs" ;;
    --config | --rules | --network-log) echo "@files" ;;
    *) echo "" ;;
  esac
}

_ringfence() {
  local cur=${COMP_WORDS[COMP_CWORD]} rf=${COMP_WORDS[0]} cmd="" config="" i w dashdash=0
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if [ -z "$cmd" ]; then
      case $w in -*) ;; *) cmd=$w ;; esac
      continue
    fi
    case $w in
      --) dashdash=$i; break ;;
      --config) config=${COMP_WORDS[i + 1]} ;;
      --config=*) config=${w#--config=} ;;
    esac
  done
  if [ -z "$cmd" ]; then
    COMPREPLY=($(compgen -W "run check explain decide setup --help --version" -- "$cur"))
    return 0
  fi
  # After "--": the command to run, completed as a command line of its own.
  if [ "$dashdash" -gt 0 ]; then
    if declare -F _command_offset >/dev/null; then
      _command_offset $((dashdash + 1))
    elif [ "$COMP_CWORD" -eq $((dashdash + 1)) ]; then
      COMPREPLY=($(compgen -c -- "$cur"))
    else
      COMPREPLY=($(compgen -f -- "$cur"))
    fi
    return 0
  fi
  # The option whose value is being typed: "-s VALUE", "--sandbox VALUE", "--sandbox=VALUE"
  # (bash splits the last at '=' when COMP_WORDBREAKS holds it, as it does by default).
  local opt="" prev=${COMP_WORDS[COMP_CWORD - 1]}
  if [ "$prev" = "=" ] && [ "$COMP_CWORD" -ge 2 ]; then
    opt=${COMP_WORDS[COMP_CWORD - 2]}
  elif [[ $cur == --*=* ]]; then
    opt=${cur%%=*}
    cur=${cur#*=}
  else
    local short long
    while read -r short long; do
      case $long in *=) [ "$prev" = "$short" ] || [ "$prev" = "${long%=}" ] && opt=$prev ;; esac
    done < <(_ringfence_help_options "$rf" "$cmd")
  fi
  if [ -n "$opt" ]; then
    local values
    values=$(_ringfence_values "$rf" "$cmd" "$opt" "$config")
    case $values in
      @dirs) COMPREPLY=($(compgen -d -- "$cur")) ;;
      @files) COMPREPLY=($(compgen -f -- "$cur")) ;;
      *) COMPREPLY=($(compgen -W "$values" -- "$cur")) ;;
    esac
    return 0
  fi
  if [[ $cur == -* ]]; then
    local opts
    opts=$(_ringfence_help_options "$rf" "$cmd" | tr -d '=' | tr ' ' '\n' | grep -v '^-$')
    case $cmd in run | explain | decide) opts="$opts --" ;; esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return 0
  fi
  case $cmd in
    run | explain | decide) COMPREPLY=($(compgen -c -- "$cur")) ;;
  esac
  return 0
}
complete -F _ringfence ringfence
