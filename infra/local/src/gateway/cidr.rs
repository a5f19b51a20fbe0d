//! Source-address allow-lists: IPv4 and IPv6 CIDR blocks, matched the way the
//! template's resource policies match `aws:SourceIp` (`AllowedTspCidrs`,
//! `AllowedVtsCidrs`). The local gateway admits a client to an API only when
//! its address is in that API's list (see [`super::apis`]; loopback by default).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// The variable the local gateway reads its allow-list from.
pub const ALLOWED_CIDRS_ENV: &str = "TMP_ALLOWED_CIDRS";
/// What the local gateway admits when `TMP_ALLOWED_CIDRS` is unset: this machine.
pub const LOOPBACK_CIDRS: &str = "127.0.0.0/8,::1/128";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    #[error("{0:?} is not an IPv4 or IPv6 address")]
    Address(String),
    #[error("{0:?}: the prefix length must be a number from 0 to {1}")]
    Prefix(String, u8),
    #[error("{0:?} has bits set beyond its prefix (did you mean {1}?)")]
    HostBits(String, String),
    #[error(
        "the allow-list is empty or has an empty entry (comma-separated CIDRs, e.g. 10.0.0.0/8,::1/128)"
    )]
    Empty,
    #[error("{var}")]
    Env {
        var: String,
        #[source]
        source: Box<CidrError>,
    },
}

/// One CIDR block, e.g. `10.0.0.0/8` or `2001:db8::/32`; a bare address is a
/// single host (`/32` or `/128`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

/// The `prefix` high bits of a `width`-bit number set, the others clear.
fn mask(prefix: u8, width: u8) -> u128 {
    let prefix = u32::from(prefix.min(width));
    if prefix == 0 {
        return 0;
    }
    (u128::MAX << (128 - prefix)) >> (128 - u32::from(width))
}

fn bits(ip: IpAddr) -> (u128, u8) {
    match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
        IpAddr::V6(v6) => (u128::from(v6), 128),
    }
}

impl Cidr {
    pub fn network(&self) -> IpAddr {
        self.network
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` is in this block. An IPv4-mapped IPv6 address
    /// (`::ffff:10.1.2.3`, how a dual-stack socket reports an IPv4 client)
    /// counts as its IPv4 address; otherwise families never match each other.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (addr, width) = bits(ip.to_canonical());
        let (network, network_width) = bits(self.network);
        width == network_width && addr & mask(self.prefix, width) == network
    }
}

impl FromStr for Cidr {
    type Err = CidrError;

    fn from_str(text: &str) -> Result<Self, CidrError> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = addr
            .parse()
            .map_err(|_| CidrError::Address(text.to_owned()))?;
        let (value, width) = bits(network);
        let prefix = match prefix {
            None => width,
            Some(p) => Some(p)
                .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| p.parse::<u8>().ok())
                .filter(|p| *p <= width)
                .ok_or_else(|| CidrError::Prefix(text.to_owned(), width))?,
        };
        let masked = value & mask(prefix, width);
        if masked != value {
            let suggestion = Cidr {
                network: from_bits(masked, width),
                prefix,
            };
            return Err(CidrError::HostBits(text.to_owned(), suggestion.to_string()));
        }
        Ok(Self { network, prefix })
    }
}

fn from_bits(value: u128, width: u8) -> IpAddr {
    if width == 32 {
        IpAddr::V4(Ipv4Addr::from(u32::try_from(value).unwrap_or_default()))
    } else {
        IpAddr::V6(Ipv6Addr::from(value))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// A list of CIDR blocks; an address is allowed when any block contains it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowList(Vec<Cidr>);

impl AllowList {
    /// Comma-separated CIDRs (`10.0.0.0/8, ::1/128`); blanks around entries
    /// are ignored, an empty list or entry is an error.
    pub fn parse(list: &str) -> Result<Self, CidrError> {
        let cidrs = list
            .split(',')
            .map(|entry| match entry.trim() {
                "" => Err(CidrError::Empty),
                entry => entry.parse(),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(cidrs))
    }

    /// `127.0.0.0/8,::1/128`.
    pub fn loopback() -> Self {
        Self::parse(LOOPBACK_CIDRS).unwrap_or_else(|_| Self(Vec::new()))
    }

    /// `TMP_ALLOWED_CIDRS`, or [`AllowList::loopback`] when it is unset.
    pub fn from_env() -> Result<Self, CidrError> {
        Ok(Self::from_env_var(ALLOWED_CIDRS_ENV)?.unwrap_or_else(Self::loopback))
    }

    /// The list in environment variable `var`, if it is set.
    pub fn from_env_var(var: &str) -> Result<Option<Self>, CidrError> {
        match std::env::var(var) {
            Ok(list) => Self::parse(&list).map(Some).map_err(|e| CidrError::Env {
                var: var.to_owned(),
                source: Box::new(e),
            }),
            Err(_) => Ok(None),
        }
    }

    pub fn allows(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    pub fn cidrs(&self) -> &[Cidr] {
        &self.0
    }
}

impl Default for AllowList {
    fn default() -> Self {
        Self::loopback()
    }
}

impl fmt::Display for AllowList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(Cidr::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn cidr(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv4_blocks_match_exactly_their_addresses() {
        let ten = cidr("10.0.0.0/8");
        assert!(ten.contains(ip("10.0.0.0")));
        assert!(ten.contains(ip("10.255.255.255")));
        assert!(!ten.contains(ip("11.0.0.0")));
        assert!(!ten.contains(ip("9.255.255.255")));
        // Prefixes that are not a whole octet.
        let odd = cidr("192.168.4.0/22");
        assert!(odd.contains(ip("192.168.7.255")));
        assert!(!odd.contains(ip("192.168.8.0")));
        assert!(!odd.contains(ip("192.168.3.255")));
        let pair = cidr("203.0.113.6/31");
        assert!(pair.contains(ip("203.0.113.6")) && pair.contains(ip("203.0.113.7")));
        assert!(!pair.contains(ip("203.0.113.8")));
        assert_eq!(pair.to_string(), "203.0.113.6/31");
    }

    #[test]
    fn bare_addresses_are_single_hosts_and_zero_prefixes_everything() {
        let host = cidr("198.51.100.10");
        assert_eq!(host.prefix(), 32);
        assert!(host.contains(ip("198.51.100.10")));
        assert!(!host.contains(ip("198.51.100.11")));
        assert!(cidr("0.0.0.0/0").contains(ip("8.8.8.8")));
        assert!(cidr("::/0").contains(ip("2001:db8::1")));
        assert_eq!(cidr("::1").prefix(), 128);
        assert!(cidr("::1").contains(ip("::1")));
        assert!(cidr("255.255.255.255/32").contains(ip("255.255.255.255")));
    }

    #[test]
    fn ipv6_blocks_match_and_families_never_mix() {
        let doc = cidr("2001:db8::/32");
        assert!(doc.contains(ip("2001:db8:ffff::1")));
        assert!(!doc.contains(ip("2001:db9::1")));
        let odd = cidr("2001:db8:80::/41");
        assert!(odd.contains(ip("2001:db8:ff:ffff::1")));
        assert!(!odd.contains(ip("2001:db8:7f::1")));
        // IPv4 never matches an IPv6 block and the reverse.
        assert!(!cidr("::/0").contains(ip("10.0.0.1")));
        assert!(!cidr("0.0.0.0/0").contains(ip("::1")));
        // A dual-stack socket's IPv4-mapped address is its IPv4 address.
        assert!(cidr("10.0.0.0/8").contains(ip("::ffff:10.1.2.3")));
        assert!(!cidr("10.0.0.0/8").contains(ip("::ffff:11.1.2.3")));
    }

    #[test]
    fn malformed_blocks_are_refused_naming_the_entry() {
        for bad in ["", "10.0.0/8", "x/8", "10.0.0.0.0", "1.2.3.4/8/8"] {
            assert!(
                matches!(
                    bad.parse::<Cidr>(),
                    Err(CidrError::Address(_) | CidrError::Prefix(..))
                ),
                "{bad:?} parsed"
            );
        }
        for bad in [
            "10.0.0.0/",
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/+8",
            "10.0.0.0/-1",
            "10.0.0.0/ 8",
        ] {
            assert!(
                matches!(bad.parse::<Cidr>(), Err(CidrError::Prefix(..))),
                "{bad:?} parsed"
            );
        }
        // Host bits beyond the prefix are a typo, not a wider block.
        let err = "10.1.2.3/8".parse::<Cidr>().unwrap_err();
        assert_eq!(
            err,
            CidrError::HostBits("10.1.2.3/8".into(), "10.0.0.0/8".into())
        );
        assert!(err.to_string().contains("10.0.0.0/8"), "{err}");
        assert!(matches!(
            "2001:db8::1/32".parse::<Cidr>(),
            Err(CidrError::HostBits(_, s)) if s == "2001:db8::/32"
        ));
    }

    #[test]
    fn allow_lists_parse_comma_separated_entries_and_match_any() {
        let list = AllowList::parse(" 10.0.0.0/8 , 2001:db8::/32,192.0.2.1").unwrap();
        assert_eq!(list.cidrs().len(), 3);
        assert!(list.allows(ip("10.9.9.9")));
        assert!(list.allows(ip("2001:db8::5")));
        assert!(list.allows(ip("192.0.2.1")));
        assert!(!list.allows(ip("192.0.2.2")));
        assert!(!list.allows(ip("127.0.0.1")));
        assert_eq!(list.to_string(), "10.0.0.0/8,2001:db8::/32,192.0.2.1/32");
        assert_eq!(AllowList::parse(""), Err(CidrError::Empty));
        assert_eq!(AllowList::parse("10.0.0.0/8,,::1"), Err(CidrError::Empty));
        assert!(AllowList::parse("10.0.0.0/8,nope").is_err());
    }

    #[test]
    fn the_default_admits_loopback_only() {
        let list = AllowList::default();
        assert!(list.allows(ip("127.0.0.1")));
        assert!(list.allows(ip("127.1.2.3")));
        assert!(list.allows(ip("::1")));
        assert!(list.allows(ip("::ffff:127.0.0.1")));
        assert!(!list.allows(ip("10.0.0.1")));
        assert!(!list.allows(ip("::2")));
        assert_eq!(list.to_string(), LOOPBACK_CIDRS);
    }
}
