#!/bin/sh
# demo.d: the Cadence UART1 on zcu102, whose other end is a socket on the host.
[ "$1" = zcu102 ] || exit 0
echo "== UART1 (cdns,uart at 0xff010000), its far end on the host"
echo "host -> UART1: the host writes 'hello from the host' into the socket"
udrv-uart recv --timeout 1500 >/tmp/uart-demo.txt &
pid=$!
sleep 0.5
echo "@@UDRV-HOST uart-send 68656c6c6f2066726f6d2074686520686f7374"
wait $pid || exit 1
echo "udrv-uart recv got: '$(cat /tmp/uart-demo.txt)'"
echo "UART1 -> host -> UART1: the host echoes; udrv-uart chat sends and prints the echo"
echo "@@UDRV-HOST uart-echo on"
sleep 0.5
printf 'udrv-uart chat got: '
udrv-uart chat --timeout 500 "hello from the guest through the host and back" || exit 1
echo
echo "@@UDRV-HOST uart-echo off"
