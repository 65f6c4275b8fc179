# ringfence.fish: fish completion for ringfence: subcommands, the options each prints in
# `ringfence CMD --help`, their values (modes, backends, network modes, approval policies), and
# profile names from the user's config (`ringfence __list-profiles`).

# The subcommand on the command line so far (nothing before one is given).
function __ringfence_cmd
    set -l tokens (commandline -opc)
    for t in $tokens[2..-1]
        switch $t
            case '-*'
            case '*'
                echo $t
                return 0
        end
    end
    return 1
end

# True after a subcommand and before any "--".
function __ringfence_in_options
    set -l tokens (commandline -opc)
    contains -- -- $tokens; and return 1
    __ringfence_cmd >/dev/null
end

# True when the previous word is one of the arguments (an option awaiting its value).
function __ringfence_prev_is
    __ringfence_in_options; or return 1
    set -l tokens (commandline -opc)
    contains -- $tokens[-1] $argv
end

# The options of `ringfence CMD --help`, offered once the word being typed starts with "-".
function __ringfence_options
    string match -q -- '-*' (commandline -ct); or return
    set -l rf (commandline -opc)[1]
    $rf (__ringfence_cmd) --help 2>/dev/null | string match -r -- '^ +(?:-[A-Za-z], )?--[A-Za-z0-9-]+' \
        | string trim | string split ', '
end

function __ringfence_network_modes
    set -l rf (commandline -opc)[1]
    set -l modes ($rf (__ringfence_cmd) --help 2>/dev/null | string replace -rf -- '^ *--network=([a-z]+(?:\|[a-z]+)+) .*' '$1')
    if test -n "$modes"
        string split '|' -- $modes
    else
        printf '%s\n' off on
    end
end

function __ringfence_profiles
    set -l tokens (commandline -opc)
    set -l config
    for i in (seq (count $tokens))
        switch $tokens[$i]
            case --config
                set config --config $tokens[(math $i + 1)]
            case '--config=*'
                set config --config (string replace -- '--config=' '' $tokens[$i])
        end
    end
    $tokens[1] __list-profiles $config 2>/dev/null
end

complete -c ringfence -f
complete -c ringfence -n 'not __ringfence_cmd' -a run -d 'Run a program confined by the policy'
complete -c ringfence -n 'not __ringfence_cmd' -a check -d 'Which backends work here, and why not'
complete -c ringfence -n 'not __ringfence_cmd' -a explain -d 'Print the resolved policy and what the backend would run'
complete -c ringfence -n 'not __ringfence_cmd' -a decide -d 'May a command run, need approval, or is it refused'
complete -c ringfence -n 'not __ringfence_cmd' -a setup -d 'One-time host setup a backend needs'
complete -c ringfence -n 'not __ringfence_cmd' -l help -l version
complete -c ringfence -n '__ringfence_in_options; and not __ringfence_prev_is -s --sandbox --network --backend -a --ask-for-approval --request -p --profile -C --cd --writable-root --dangerously-allow-writable-root --config --rules --network-log --allow-domain --deny-domain --proxy --resolve --timeout --kill-after --pass-fd -c --set --require' -a '(__ringfence_options)'
complete -c ringfence -n '__ringfence_prev_is -s --sandbox' -x -a 'read-only workspace-write danger-full-access'
complete -c ringfence -n '__ringfence_prev_is --network' -x -a '(__ringfence_network_modes)'
complete -c ringfence -n '__ringfence_prev_is --backend; and test (__ringfence_cmd) != setup' -x -a 'auto bwrap landlock seatbelt windows'
complete -c ringfence -n '__ringfence_prev_is --backend; and test (__ringfence_cmd) = setup' -x -a 'bwrap landlock seatbelt windows'
complete -c ringfence -n '__ringfence_prev_is -a --ask-for-approval' -x -a 'untrusted on-failure on-request never'
complete -c ringfence -n '__ringfence_prev_is --request' -x -a 'run escalation rule mcp-elicitation permission skill-script'
complete -c ringfence -n '__ringfence_prev_is -p --profile' -x -a '(__ringfence_profiles)'
complete -c ringfence -n '__ringfence_prev_is -C --cd --writable-root --dangerously-allow-writable-root' -x -a '(__fish_complete_directories)'
complete -c ringfence -n '__ringfence_prev_is --config --rules --network-log' -F

# After "--": the program to run, then its arguments (files).
function __ringfence_after_dashdash
    set -l tokens (commandline -opc)
    contains -- -- $tokens; or return 1
    test "$argv[1]" = first; or return 0
    test "$tokens[-1]" = --
end
complete -c ringfence -n '__ringfence_after_dashdash first' -x -a '(__fish_complete_command)'
complete -c ringfence -n '__ringfence_after_dashdash; and not __ringfence_after_dashdash first' -F
