#!/usr/bin/env bash
# The README's walk-through as a script: records a team dispatch (兰州大学第一医院 → 会宁县人民医院,
# seed 000) with `buf curl`, reads it back from the event feed, and asks the on-site roster who is
# there. The conformance check runs it against a real server, so the README's calls stay true.
#
# Usage: scripts/demo.sh [HOST:PORT] [TOKEN]
#   HOST:PORT defaults to 127.0.0.1:50051; TOKEN defaults to a dev token minted with
#   `medaid dev-token --role recorder,reader --scope 62` (needs the server's data directory in
#   ./medaid-data, as `medaid serve` creates by default).
# Needs buf (scripts/install-tools.sh) and python3 (to pick ids out of the JSON answers).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
address="${1:-127.0.0.1:50051}"
token="${2:-}"
if [[ -z "${token}" ]]; then
    token="$(cargo run -q --manifest-path "${root}/Cargo.toml" -p server --bin medaid -- \
        dev-token --role recorder,reader --scope 62)"
fi
buf="${root}/.tools/buf"
if [[ ! -x "${buf}" ]]; then
    echo "error: buf is not installed; run scripts/install-tools.sh" >&2
    exit 1
fi

# call SERVICE/METHOD JSON: one authenticated unary call; prints the JSON answer.
call() {
    echo "-- buf curl ... medaid.v1.$1 -d '$(printf '%s' "$2" | tr -s ' \n' ' ')'" >&2
    # Reflection needs the token too, so `--reflect-header '*'` sends the -H headers along.
    "${buf}" curl --protocol grpc --http2-prior-knowledge \
        -H "authorization: Bearer ${token}" --reflect-header '*' \
        -d "$2" "http://${address}/medaid.v1.$1"
}
# field NAME: reads a top-level string field of the JSON answer on stdin.
field() {
    python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}
# Fixed request ids: running the script again returns the first answers and writes nothing.
new_id() {
    printf '7b0c2f1e-2d4e-4c59-9f43-0a6f1b2c3d%02d' "$1"
}

echo "== register the two hospitals"
call HospitalService/RegisterHospital "{\"request_id\": \"$(new_id 1)\",
    \"hospital\": \"126200000000000196\", \"name\": \"兰州大学第一医院\",
    \"division\": \"620102\", \"category\": \"A100\", \"registered_on\": \"2022-01-01\"}"
call HospitalService/RegisterHospital "{\"request_id\": \"$(new_id 2)\",
    \"hospital\": \"12620422000000035C\", \"name\": \"会宁县人民医院\",
    \"division\": \"620422\", \"category\": \"A100\", \"registered_on\": \"2022-01-01\"}"

echo "== define the program and establish the pairing"
program_id="$(call ProgramService/DefineProgram "{\"request_id\": \"$(new_id 3)\",
    \"kind\": \"PROGRAM_KIND_KEY_COUNTY_GROUP_AID\", \"name\": \"医疗人才组团式帮扶\",
    \"defined_on\": \"2022-01-01\",
    \"parameters\": {\"version\": 1, \"min_term_months\": 12, \"min_team_size\": 5,
        \"min_senior_members\": 1, \"mentor_ratio_max\": 2, \"short_visit_max_days\": 14,
        \"indicator_set\": {\"version\": \"2022.1\", \"indicators\": [\"new_techniques\"]}}}" |
    field programId)"
pairing_id="$(call PairingService/EstablishPairing "{\"request_id\": \"$(new_id 4)\",
    \"program_id\": \"${program_id}\", \"supporting_orgs\": [\"126200000000000196\"],
    \"recipient_org\": \"12620422000000035C\", \"region_codes\": [\"620422\"],
    \"start\": \"2022-03-01\"}" | field pairingId)"
echo "program ${program_id}, pairing ${pairing_id}"

echo "== dispatch batch 1, assign a member, record the arrival"
call DeploymentService/DispatchBatch "{\"request_id\": \"$(new_id 5)\",
    \"pairing_id\": \"${pairing_id}\", \"batch_number\": 1,
    \"planned_start\": \"2024-07-01\", \"planned_end\": \"2025-06-30\"}"
deployment_id="$(call DeploymentService/AssignMember "{\"request_id\": \"$(new_id 6)\",
    \"pairing_id\": \"${pairing_id}\", \"batch_number\": 1, \"practitioner\": \"lzu-hu-wenteng\",
    \"home_org\": \"126200000000000196\", \"title\": 232, \"specialty\": \"04.05\",
    \"role\": \"MEMBER_ROLE_CLINICAL\",
    \"planned_start\": \"2024-07-01\", \"planned_end\": \"2025-06-30\"}" | field deploymentId)"
arrival="$(call DeploymentService/RecordMemberArrival "{\"request_id\": \"$(new_id 7)\",
    \"deployment_id\": \"${deployment_id}\", \"recipient_org\": \"12620422000000035C\",
    \"arrived_on\": \"2024-07-01\"}")"
echo "${arrival}"
last_position="$(printf '%s' "${arrival}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["result"]["positions"][-1])')"

echo "== read the dispatch back from the event feed"
call EventService/ListEvents '{"page_size": 10, "filter": "category = \"batch\""}'

echo "== who is on site at 会宁县人民医院 on 2024-09-15 (waiting for the arrival to be projected)"
call OnSiteRosterService/ListOnSiteMembers "{\"hospital\": \"12620422000000035C\",
    \"date\": \"2024-09-15\", \"min_position\": \"${last_position}\"}"
