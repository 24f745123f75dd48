//! The deployment files checked where Docker and a cluster cannot run them: deploy/compose's
//! wiring (env file, volumes, networks, health checks, nothing secret written down) and
//! deploy/kubernetes's (two replicas, probes on the real routes, non-root with a read-only root
//! filesystem, selectors that match, settings errkb knows). kubernetes-validate checks the
//! Kubernetes schemas in .ci/run; deploy/compose/Caddyfile runs for real in ops_deploy.rs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use errkb::config::SETTINGS;
use serde_yaml_ng::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut value: Value = serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    value.apply_merge().expect("YAML merge keys");
    value
}

fn strings(v: &Value) -> Vec<String> {
    v.as_sequence().map(|s| s.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

fn known_setting(name: &str) -> bool {
    SETTINGS.iter().any(|s| s.name == name) || name == "ERRKB_LOG_FORMAT"
}

/// `NAME=value` lines of an env file (comments and blanks skipped, `# NAME=` hints included).
fn env_file_names(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(|l| l.trim().trim_start_matches('#').trim())
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.to_string()))
        .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        .collect()
}

#[test]
fn compose_runs_two_healthy_replicas_behind_caddy_with_the_password_from_the_env_file() {
    let dir = repo().join("deploy/compose");
    let compose = yaml(&dir.join("compose.yaml"));
    let services = &compose["services"];
    let names: BTreeSet<&str> = services.as_mapping().unwrap().keys().filter_map(|k| k.as_str()).collect();
    assert_eq!(names, BTreeSet::from(["caddy", "db", "errkb-1", "errkb-2"]));
    for replica in ["errkb-1", "errkb-2"] {
        let s = &services[replica];
        assert_eq!(s["env_file"].as_str(), Some(".env"), "{replica}");
        assert_eq!(strings(&s["healthcheck"]["test"]), ["CMD", "/usr/local/bin/errkb", "healthcheck"], "{replica}");
        assert!(s["ports"].is_null(), "{replica} publishes no port: /metrics stays on the internal network");
        assert_eq!(strings(&s["networks"]), ["backend", "db"], "{replica}");
        assert_eq!(s["environment"]["ERRKB_HOT_RELOAD"].as_str(), Some("true"));
        assert_eq!(s["environment"]["ERRKB_KB_DIR"].as_str(), Some("/app/kb"));
        assert_eq!(s["depends_on"]["db"]["condition"].as_str(), Some("service_healthy"));
        let volumes = strings(&s["volumes"]);
        assert!(volumes.contains(&"../../kb:/app/kb/shipped:ro".to_string()), "{volumes:?}");
        assert!(volumes.iter().any(|v| v.ends_with(":/app/kb/team:ro")), "{volumes:?}");
        assert_eq!(s["read_only"].as_bool(), Some(true));
    }
    let db = &services["db"];
    assert!(
        db["environment"]["POSTGRES_PASSWORD"].as_str().unwrap().starts_with("${POSTGRES_PASSWORD:?"),
        "the password is required from .env, never written in compose.yaml"
    );
    assert_eq!(strings(&db["networks"]), ["db"]);
    assert_eq!(compose["networks"]["db"]["internal"].as_bool(), Some(true));
    let url = services["errkb-1"]["environment"]["ERRKB_DATABASE_URL"].as_str().unwrap();
    assert_eq!(url, "postgres://errkb:${POSTGRES_PASSWORD}@db:5432/errkb");
    let caddy = &services["caddy"];
    assert!(strings(&caddy["volumes"]).contains(&"./Caddyfile:/etc/caddy/Caddyfile:ro".to_string()));
    assert!(strings(&caddy["ports"]).contains(&"443:443".to_string()));
    assert_eq!(caddy["environment"]["ERRKB_UPSTREAMS"].as_str(), Some("errkb-1:3000 errkb-2:3000"));
    for replica in ["errkb-1", "errkb-2"] {
        assert_eq!(caddy["depends_on"][replica]["condition"].as_str(), Some("service_healthy"));
    }
    assert!(dir.join("../..").join(services["errkb-1"]["build"]["context"].as_str().unwrap()).is_dir());
}

#[test]
fn compose_mounts_and_variables_exist_and_the_env_file_names_only_known_settings() {
    let dir = repo().join("deploy/compose");
    let text = std::fs::read_to_string(dir.join("compose.yaml")).unwrap();
    let compose = yaml(&dir.join("compose.yaml"));
    for (_, service) in compose["services"].as_mapping().unwrap() {
        for volume in strings(&service["volumes"]) {
            let host = volume.split(':').next().unwrap();
            let host = host.strip_prefix("${ERRKB_TEAM_GUIDES:-").map_or(host, |h| h.trim_end_matches('}'));
            if host.starts_with('.') {
                assert!(dir.join(host).exists(), "{volume}: {host} is missing");
            }
        }
    }
    let example = env_file_names(&dir.join(".env.example"));
    let compose_only = ["POSTGRES_PASSWORD", "ERRKB_DOMAIN", "ERRKB_TLS", "ERRKB_TEAM_GUIDES"];
    for name in &example {
        assert!(known_setting(name) || compose_only.contains(&name.as_str()), ".env.example: unknown {name}");
    }
    let used = regex::Regex::new(r"\$\{([A-Z_]+)").unwrap();
    for var in used.captures_iter(&text).map(|c| c[1].to_string()) {
        assert!(example.contains(&var), "compose.yaml uses ${{{var}}}, which .env.example does not explain");
    }
    assert!(std::fs::read_to_string(repo().join("deploy/compose/.gitignore")).unwrap().lines().any(|l| l == ".env"));
    let dockerfile = std::fs::read_to_string(repo().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains(r#"HEALTHCHECK "#) && dockerfile.contains(r#"CMD ["/usr/local/bin/errkb", "healthcheck"]"#)
    );
    assert!(dockerfile.contains("COPY kb /app/kb/shipped") && dockerfile.contains("/app/kb/team"));
}

/// Every document of every file in deploy/kubernetes, by kind.
fn kubernetes() -> Vec<Value> {
    let mut docs = Vec::new();
    for entry in std::fs::read_dir(repo().join("deploy/kubernetes")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            docs.push(yaml(&path));
        }
    }
    docs
}

fn kind<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    docs.iter().find(|d| d["kind"].as_str() == Some(kind)).unwrap_or_else(|| panic!("no {kind} in deploy/kubernetes"))
}

#[test]
fn the_kubernetes_deployment_is_two_non_root_read_only_replicas_probed_on_the_real_routes() {
    let docs = kubernetes();
    let deployment = kind(&docs, "Deployment");
    assert_eq!(deployment["spec"]["replicas"].as_u64(), Some(2));
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"].as_bool(), Some(true));
    assert_eq!(pod["securityContext"]["runAsUser"].as_u64(), Some(65532), "the distroless image's nonroot user");
    let container = &pod["containers"][0];
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"].as_bool(), Some(true));
    assert_eq!(container["securityContext"]["allowPrivilegeEscalation"].as_bool(), Some(false));
    assert_eq!(container["livenessProbe"]["httpGet"]["path"].as_str(), Some("/healthz"));
    assert_eq!(container["readinessProbe"]["httpGet"]["path"].as_str(), Some("/readyz"));
    let resources = &container["resources"];
    for field in [&resources["requests"]["cpu"], &resources["requests"]["memory"], &resources["limits"]["memory"]] {
        assert!(field.as_str().is_some(), "resources are set: {resources:?}");
    }
    let env_from: Vec<(&str, &str)> = container["envFrom"]
        .as_sequence()
        .unwrap()
        .iter()
        .flat_map(|e| [("configMapRef", &e["configMapRef"]), ("secretRef", &e["secretRef"])])
        .filter_map(|(k, v)| Some((k, v["name"].as_str()?)))
        .collect();
    assert_eq!(env_from, [("configMapRef", "errkb-config"), ("secretRef", "errkb-secrets")]);
    let mounts = container["volumeMounts"].as_sequence().unwrap();
    assert!(
        mounts.iter().any(|m| m["mountPath"].as_str() == Some("/app/kb/team")),
        "team guides beside the shipped ones"
    );
    let config = kind(&docs, "ConfigMap");
    let port = container["ports"][0]["containerPort"].as_u64().unwrap();
    assert_eq!(config["data"]["ERRKB_LISTEN"].as_str(), Some(format!("0.0.0.0:{port}").as_str()));
    for (name, _) in config["data"].as_mapping().unwrap() {
        let name = name.as_str().unwrap();
        assert!(known_setting(name), "errkb-config sets {name}, which errkb does not read");
    }
}

#[test]
fn the_kubernetes_service_budget_and_autoscaler_point_at_the_deployment() {
    let docs = kubernetes();
    let deployment = kind(&docs, "Deployment");
    let labels = &deployment["spec"]["template"]["metadata"]["labels"];
    assert_eq!(&deployment["spec"]["selector"]["matchLabels"], labels);
    let service = kind(&docs, "Service");
    assert_eq!(&service["spec"]["selector"], labels);
    let port_name = deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["name"].as_str();
    assert_eq!(service["spec"]["ports"][0]["targetPort"].as_str(), port_name);
    let pdb = kind(&docs, "PodDisruptionBudget");
    assert_eq!(&pdb["spec"]["selector"]["matchLabels"], labels);
    assert_eq!(pdb["spec"]["minAvailable"].as_u64(), Some(1));
    let hpa = kind(&docs, "HorizontalPodAutoscaler");
    assert_eq!(hpa["spec"]["scaleTargetRef"]["kind"].as_str(), Some("Deployment"));
    assert_eq!(hpa["spec"]["scaleTargetRef"]["name"], deployment["metadata"]["name"]);
    assert!(hpa["spec"]["minReplicas"].as_u64() >= Some(2), "never fewer than the Deployment's two");
}
