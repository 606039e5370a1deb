#!/bin/sh
# Kills <child-pid> once <owner-pid> is gone, so a test run that is killed
# (SIGKILL, a crashed runner) still leaves no server behind. Exits by itself
# when the child ends first.
owner=$1
child=$2
while kill -0 "$child" 2>/dev/null; do
  if ! kill -0 "$owner" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null
    sleep 5
    kill -KILL "$child" 2>/dev/null
    exit 0
  fi
  sleep 1
done
