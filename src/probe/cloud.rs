//! The national clouds a probe can target, each with its fixed authority host and the Microsoft
//! Graph resource whose `/.default` scope a probe asks for by default. The host is never taken
//! from user input: a user picks a cloud by name.

use std::fmt;
use std::str::FromStr;

/// A Microsoft Entra cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    #[default]
    Public,
    UsGov,
    China,
}

impl Cloud {
    pub const ALL: [Cloud; 3] = [Cloud::Public, Cloud::UsGov, Cloud::China];

    /// The authority host errkb sends token requests to (research notes, section c).
    pub fn authority_host(self) -> &'static str {
        match self {
            Cloud::Public => "login.microsoftonline.com",
            Cloud::UsGov => "login.microsoftonline.us",
            Cloud::China => "login.partner.microsoftonline.cn",
        }
    }

    /// Microsoft Graph's app-only scope in this cloud.
    pub fn default_scope(self) -> &'static str {
        match self {
            Cloud::Public => "https://graph.microsoft.com/.default",
            Cloud::UsGov => "https://graph.microsoft.us/.default",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn/.default",
        }
    }

    /// What OpenID discovery reports as `cloud_instance_name` for this cloud.
    pub fn instance_name(self) -> &'static str {
        match self {
            Cloud::Public => "microsoftonline.com",
            Cloud::UsGov => "microsoftonline.us",
            Cloud::China => "chinacloudapi.cn",
        }
    }

    /// The cloud whose `cloud_instance_name` is `name`, if any.
    pub fn from_instance_name(name: &str) -> Option<Cloud> {
        Cloud::ALL.into_iter().find(|c| c.instance_name().eq_ignore_ascii_case(name))
    }

    /// The short name used on the command line and in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Public => "public",
            Cloud::UsGov => "usgov",
            Cloud::China => "china",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Cloud::Public => "Global (login.microsoftonline.com)",
            Cloud::UsGov => "US Government (login.microsoftonline.us)",
            Cloud::China => "China, operated by 21Vianet (login.partner.microsoftonline.cn)",
        }
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The cloud name was not one of `public`, `usgov`, `china`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown cloud: use public, usgov or china")]
pub struct UnknownCloud;

impl FromStr for Cloud {
    type Err = UnknownCloud;

    fn from_str(s: &str) -> Result<Cloud, UnknownCloud> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "public" | "global" | "azure" | "azurecloud" => Ok(Cloud::Public),
            "usgov" | "us-gov" | "usgovernment" | "gcchigh" | "dod" | "azureusgovernment" => Ok(Cloud::UsGov),
            "china" | "cn" | "21vianet" | "azurechinacloud" => Ok(Cloud::China),
            _ => Err(UnknownCloud),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cloud_has_a_fixed_https_host_and_graph_scope() {
        for cloud in Cloud::ALL {
            assert!(cloud.authority_host().starts_with("login."));
            assert!(cloud.default_scope().starts_with("https://") && cloud.default_scope().ends_with("/.default"));
            assert_eq!(cloud.as_str().parse::<Cloud>(), Ok(cloud));
            assert_eq!(Cloud::from_instance_name(cloud.instance_name()), Some(cloud));
        }
        assert!("login.evil.com".parse::<Cloud>().is_err());
    }
}
