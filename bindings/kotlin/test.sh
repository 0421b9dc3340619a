#!/usr/bin/env bash
echo "kotlin binding tests: not written yet" >&2
exit 1
