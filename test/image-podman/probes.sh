#!/usr/bin/env bash
# What a hostile agent would try against the machine's supervisor, each attempt
# printed as `probe NAME: allowed|denied`. Writes only open for appending (`: >>`),
# so a control run as root changes nothing.
sup=$(for p in /proc/[0-9]*; do
  [[ $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) == 'bash /usr/local/bin/cfa-entrypoint ' ]] && echo "${p#/proc/}"
done | sort -n | head -n 1)
echo "probe user: $(id -un) $(id -u)"
echo "probe supervisor: ${sup:-none}"
try() {
  if "${@:2}" >/dev/null 2>&1; then echo "probe $1: allowed"; else echo "probe $1: denied"; fi
}
try read-handover cat /run/cfa/handover.json
try read-prompt cat /run/cfa/prompt
try write-state sh -c ': >>/run/cfa/state'
try write-exit-code sh -c ': >>/run/cfa/exit_code'
try write-out sh -c ': >>/run/cfa/channels/out'
try write-setup sh -c ': >>/run/cfa/channels/setup'
try signal-supervisor kill -0 "$sup"
try read-supervisor-environ cat "/proc/$sup/environ"
echo "probe end"
