"""What a client address counts as: the key rate limits and the view rule use.

One person rarely has one address. An IPv6 customer is usually given a whole /64 (and
picks new addresses in it at will), so IPv6 is keyed by /64. Rate limits key IPv4 by
the address itself; the view rule counts IPv4 by /24, where one household or office
sits behind a few neighbouring addresses. An IPv4-mapped IPv6 address
(``::ffff:192.0.2.1``) is the IPv4 address it maps.
"""

from __future__ import annotations

import ipaddress

IPV6_PREFIX = 64
VIEW_IPV4_PREFIX = 24


def network_of(address: str, *, ipv4_prefix: int, ipv6_prefix: int = IPV6_PREFIX) -> str:
    """``address`` reduced to its network: '203.0.113.0/24', '2001:db8:1:2::/64'.

    A full-length prefix gives the bare address. Something that is not an IP address
    (a test client's name, 'unknown' without a peer) is its own key.
    """
    text = address.strip()
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv4Address):
        network: ipaddress.IPv4Network | ipaddress.IPv6Network
        network = ipaddress.IPv4Network((int(ip), ipv4_prefix), strict=False)
    else:  # int() drops a zone id ("fe80::1%eth0")
        network = ipaddress.IPv6Network((int(ip), ipv6_prefix), strict=False)
    if network.prefixlen == network.max_prefixlen:
        return str(network.network_address)
    return str(network)


def client_key(address: str) -> str:
    """The rate-limit key of a client address: IPv4 as is, IPv6 by /64."""
    return network_of(address, ipv4_prefix=32)


def view_network(address: str) -> str:
    """The network a view is counted in: IPv4 by /24, IPv6 by /64."""
    return network_of(address, ipv4_prefix=VIEW_IPV4_PREFIX)
