package fetch

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// ErrBlockedAddress is returned (wrapped) when a connection would reach an
// address the SSRF guard refuses.
var ErrBlockedAddress = errors.New("address not allowed")

// blockedPrefixes are the ranges a server-side fetch must never reach:
// anything that is not a public unicast address on the internet.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network", unspecified
	netip.MustParsePrefix("10.0.0.0/8"),      // private
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("127.0.0.0/8"),     // loopback
	netip.MustParsePrefix("169.254.0.0/16"),  // link-local, incl. cloud metadata 169.254.169.254
	netip.MustParsePrefix("172.16.0.0/12"),   // private
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("192.168.0.0/16"),  // private
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("224.0.0.0/4"),     // multicast
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, incl. broadcast
	netip.MustParsePrefix("::/128"),          // unspecified
	netip.MustParsePrefix("::1/128"),         // loopback
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: embeds an IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: embeds an IPv4 address
	netip.MustParsePrefix("fc00::/7"),        // unique local, incl. fd00:ec2::254 (AWS metadata)
	netip.MustParsePrefix("fe80::/10"),       // link-local
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
	netip.MustParsePrefix("ff00::/8"),        // multicast
}

// Blocked reports whether ip is an address the SSRF guard refuses:
// loopback, private, link-local, CGNAT, unspecified, multicast, reserved,
// IPv6 unique-local/link-local and cloud-metadata addresses. IPv4-mapped
// IPv6 addresses (::ffff:a.b.c.d) are judged by the IPv4 address they carry.
func Blocked(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	ip = ip.Unmap().WithZone("")
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	// Belt and braces for anything the table misses.
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast()
}

// guardControl is a net.Dialer.Control hook: it runs after DNS resolution,
// on the exact address about to be connected, so neither DNS rebinding nor a
// redirect to an internal host gets around it.
func guardControl(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, ErrBlockedAddress)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("dial %s: unparsable address: %w", address, ErrBlockedAddress)
	}
	if Blocked(ip) {
		return fmt.Errorf("dial %s: %w (private, loopback or reserved; use --allow-private to permit)", address, ErrBlockedAddress)
	}
	return nil
}

// metadataAddrs are the cloud metadata endpoints, blocked even when the
// private-address guard is lifted (--allow-private): reaching them from a
// server hands out its cloud credentials.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"), // AWS, GCP, Azure, DigitalOcean, OpenStack
	netip.MustParseAddr("169.254.170.2"),   // AWS ECS task metadata
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
	netip.MustParseAddr("fd00:ec2::254"),   // AWS over IPv6
}

// Metadata reports whether ip is a cloud metadata endpoint.
func Metadata(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	for _, m := range metadataAddrs {
		if ip == m {
			return true
		}
	}
	return false
}

// metadataControl is the dial guard when private addresses are allowed: it
// still refuses the cloud metadata endpoints.
func metadataControl(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, ErrBlockedAddress)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("dial %s: unparsable address: %w", address, ErrBlockedAddress)
	}
	if Metadata(ip) {
		return fmt.Errorf("dial %s: %w (cloud metadata endpoint)", address, ErrBlockedAddress)
	}
	return nil
}
