#!/bin/busybox sh
# udhcpc's script: configure the lease on the interface (address, mask, default route).
case "$1" in
bound | renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	for r in $router; do ip route add default via "$r" dev "$interface"; done
	;;
esac
exit 0
