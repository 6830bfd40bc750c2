//! Classification of IP addresses that must never be reached implicitly
//! (loopback, private, link-local, metadata, ...), including IPv4 embedded in IPv6.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is off limits; `None` from [`classify`] means public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restricted {
    /// Cloud instance metadata endpoint.
    Metadata,
    /// Loopback (127/8, ::1).
    Loopback,
    /// Private network (RFC 1918, fc00::/7, NAT64 local-use, ...).
    Private,
    /// Link-local (169.254/16, fe80::/10).
    LinkLocal,
    /// Carrier-grade NAT shared space (100.64/10).
    SharedCgnat,
    /// Unspecified / "this network" (0.0.0.0/8, ::).
    Unspecified,
    /// Limited broadcast (255.255.255.255).
    Broadcast,
    /// Multicast (224/4, ff00::/8).
    Multicast,
    /// Reserved, documentation, benchmarking or tunnelling ranges.
    Reserved,
}

impl Restricted {
    /// Human-readable label for reasons.
    pub fn label(self) -> &'static str {
        match self {
            Restricted::Metadata => "a cloud metadata endpoint",
            Restricted::Loopback => "a loopback address",
            Restricted::Private => "a private network address",
            Restricted::LinkLocal => "a link-local address",
            Restricted::SharedCgnat => "a carrier-grade NAT (100.64.0.0/10) address",
            Restricted::Unspecified => "an unspecified address",
            Restricted::Broadcast => "a broadcast address",
            Restricted::Multicast => "a multicast address",
            Restricted::Reserved => "a reserved or special-purpose address",
        }
    }

    /// Rule identifier for decisions.
    pub fn rule(self) -> &'static str {
        match self {
            Restricted::Metadata => "network.metadata",
            _ => "network.private_address",
        }
    }
}

/// IPv4 metadata endpoints: AWS/GCP/Azure/OpenStack, Alibaba, Azure WireServer.
const METADATA_V4: [Ipv4Addr; 3] = [
    Ipv4Addr::new(169, 254, 169, 254),
    Ipv4Addr::new(100, 100, 100, 200),
    Ipv4Addr::new(168, 63, 129, 16),
];
/// IPv6 metadata endpoint (AWS Nitro).
const METADATA_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);

/// Classifies an address; `None` means an ordinary public address.
pub fn classify(ip: IpAddr) -> Option<Restricted> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    (u32::from(ip) & mask) == (u32::from(Ipv4Addr::from(net)) & mask)
}

fn classify_v4(ip: Ipv4Addr) -> Option<Restricted> {
    use Restricted::*;
    if METADATA_V4.contains(&ip) {
        return Some(Metadata);
    }
    let table: [([u8; 4], u32, Restricted); 17] = [
        ([0, 0, 0, 0], 8, Unspecified),
        ([10, 0, 0, 0], 8, Private),
        ([100, 64, 0, 0], 10, SharedCgnat),
        ([127, 0, 0, 0], 8, Loopback),
        ([169, 254, 0, 0], 16, LinkLocal),
        ([172, 16, 0, 0], 12, Private),
        ([192, 0, 0, 0], 24, Reserved),
        ([192, 0, 2, 0], 24, Reserved),
        ([192, 88, 99, 0], 24, Reserved),
        ([192, 168, 0, 0], 16, Private),
        ([198, 18, 0, 0], 15, Reserved),
        ([198, 51, 100, 0], 24, Reserved),
        ([203, 0, 113, 0], 24, Reserved),
        ([224, 0, 0, 0], 4, Multicast),
        ([255, 255, 255, 255], 32, Broadcast),
        ([240, 0, 0, 0], 4, Reserved),
        ([192, 31, 196, 0], 24, Reserved),
    ];
    table
        .iter()
        .find(|(net, prefix, _)| in_v4(ip, *net, *prefix))
        .map(|(_, _, kind)| *kind)
}

fn v4_from(hi: u16, lo: u16) -> Ipv4Addr {
    Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo))
}

fn classify_v6(ip: Ipv6Addr) -> Option<Restricted> {
    use Restricted::*;
    let s = ip.segments();
    if ip == METADATA_V6 {
        return Some(Metadata);
    }
    if ip.is_unspecified() {
        return Some(Unspecified);
    }
    if ip.is_loopback() {
        return Some(Loopback);
    }
    // IPv4-mapped ::ffff:a.b.c.d: judge the embedded IPv4 address.
    if s[..6] == [0, 0, 0, 0, 0, 0xffff] {
        return classify_v4(v4_from(s[6], s[7]));
    }
    // Deprecated IPv4-compatible ::a.b.c.d: never legitimate today.
    if s[..6] == [0; 6] {
        return Some(classify_v4(v4_from(s[6], s[7])).unwrap_or(Reserved));
    }
    // NAT64 well-known prefix 64:ff9b::/96: judge the embedded IPv4 address.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return classify_v4(v4_from(s[6], s[7]));
    }
    // NAT64 local-use prefix 64:ff9b:1::/48 translates to private networks.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1 {
        return Some(Private);
    }
    // 6to4 2002::/16 embeds an IPv4 address in bits 16..48.
    if s[0] == 0x2002 {
        return classify_v4(v4_from(s[1], s[2]));
    }
    match s[0] {
        0xfc00..=0xfdff => return Some(Private),
        0xfe80..=0xfebf => return Some(LinkLocal),
        0xfec0..=0xfeff => return Some(Private), // deprecated site-local
        0xff00..=0xffff => return Some(Multicast),
        _ => {}
    }
    // Teredo 2001::/32 (obfuscated IPv4 tunnel), documentation 2001:db8::/32,
    // discard-only 100::/64, ORCHIDv2 2001:20::/28.
    let reserved =
        (s[0] == 0x2001 && matches!(s[1], 0 | 0x0db8 | 0x20..=0x2f)) || s[..4] == [0x100, 0, 0, 0];
    reserved.then_some(Reserved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Restricted::*;

    #[test]
    fn classification_table() {
        let cases: &[(&str, Option<Restricted>)] = &[
            ("8.8.8.8", None),
            ("1.1.1.1", None),
            ("0.0.0.0", Some(Unspecified)),
            ("0.1.2.3", Some(Unspecified)),
            ("10.255.0.1", Some(Private)),
            ("100.64.0.1", Some(SharedCgnat)),
            ("100.127.255.255", Some(SharedCgnat)),
            ("100.128.0.1", None),
            ("127.0.0.1", Some(Loopback)),
            ("127.255.1.2", Some(Loopback)),
            ("169.254.1.1", Some(LinkLocal)),
            ("169.254.169.254", Some(Metadata)),
            ("100.100.100.200", Some(Metadata)),
            ("172.15.255.255", None),
            ("172.16.0.1", Some(Private)),
            ("172.31.255.255", Some(Private)),
            ("172.32.0.1", None),
            ("192.168.1.1", Some(Private)),
            ("198.18.0.1", Some(Reserved)),
            ("224.0.0.1", Some(Multicast)),
            ("239.255.255.250", Some(Multicast)),
            ("240.0.0.1", Some(Reserved)),
            ("255.255.255.255", Some(Broadcast)),
            ("::", Some(Unspecified)),
            ("::1", Some(Loopback)),
            ("::ffff:127.0.0.1", Some(Loopback)),
            ("::ffff:10.0.0.1", Some(Private)),
            ("::ffff:8.8.8.8", None),
            ("::127.0.0.1", Some(Loopback)),
            ("::8.8.8.8", Some(Reserved)),
            ("64:ff9b::127.0.0.1", Some(Loopback)),
            ("64:ff9b::a9fe:a9fe", Some(Metadata)),
            ("64:ff9b::8.8.8.8", None),
            ("64:ff9b:1::1", Some(Private)),
            ("2002:7f00:1::", Some(Loopback)),
            ("2002:0808:0808::", None),
            ("fc00::1", Some(Private)),
            ("fd12:3456::1", Some(Private)),
            ("fd00:ec2::254", Some(Metadata)),
            ("fe80::1", Some(LinkLocal)),
            ("febf::1", Some(LinkLocal)),
            ("fec0::1", Some(Private)),
            ("ff02::1", Some(Multicast)),
            ("2001:db8::1", Some(Reserved)),
            ("2001:0:4136:e378::1", Some(Reserved)),
            ("2606:4700:4700::1111", None),
            ("2001:4860:4860::8888", None),
        ];
        for (text, want) in cases {
            let ip: IpAddr = text.parse().unwrap();
            assert_eq!(classify(ip), *want, "{text}");
        }
    }

    #[test]
    fn rules_and_labels() {
        assert_eq!(Metadata.rule(), "network.metadata");
        assert_eq!(Loopback.rule(), "network.private_address");
        assert!(SharedCgnat.label().contains("100.64"));
    }
}
