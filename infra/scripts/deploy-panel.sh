#!/usr/bin/env bash
# Uploads the built admin panel (admin/dist) to its stack's bucket, with the
# config.json the stack's outputs make (the admin user pool, the panel's app
# client, the admin API), then invalidates the distribution.
#
#   STACK_NAME=token-management-platform AWS_REGION=eu-west-1 infra/scripts/deploy-panel.sh
#
# Needs the AWS CLI with credentials that may s3:PutObject/DeleteObject on the
# bucket and cloudfront:CreateInvalidation on the distribution. Hashed assets
# are cached for a year; index.html and config.json are never cached (a new
# deployment is seen at once).
set -euo pipefail

STACK_NAME=${STACK_NAME:-token-management-platform}
REGION=${AWS_REGION:-${AWS_DEFAULT_REGION:-eu-west-1}}
DIST=${TMP_ADMIN_DIST:-admin/dist}

[[ -f "$DIST/index.html" ]] || { echo "no $DIST/index.html: run 'make panel' first" >&2; exit 2; }

output() {
  aws cloudformation describe-stacks --region "$REGION" --stack-name "$STACK_NAME" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}

bucket=$(output AdminPanelBucketName)
distribution=$(output AdminPanelDistributionId)
pool=$(output AdminUserPoolId)
client=$(output AdminPanelClientId)
api=$(output AdminApiUrl)
site=$(output AdminPanelSiteUrl)
panel_url=$(aws cloudformation describe-stacks --region "$REGION" --stack-name "$STACK_NAME" \
  --query "Stacks[0].Parameters[?ParameterKey=='AdminPanelUrl'].ParameterValue" --output text)
for value in "$bucket" "$distribution" "$pool" "$client" "$api"; do
  [[ -n "$value" && "$value" != "None" ]] || { echo "stack $STACK_NAME lacks the admin panel's outputs" >&2; exit 1; }
done
[[ "$panel_url" == https://* ]] || panel_url=$site

config=$(mktemp)
trap 'rm -f "$config"' EXIT
python3 - "$config" "$REGION" "$pool" "$client" "$panel_url" "$api" <<'PY'
import json, sys
path, region, pool, client, panel, api = sys.argv[1:]
json.dump({
    "mode": "cognito",
    "authority": f"https://cognito-idp.{region}.amazonaws.com/{pool}",
    "clientId": client,
    "redirectUri": f"{panel}callback",
    "logoutUri": panel,
    "apiBase": api.rstrip("/"),
}, open(path, "w"), indent=2)
PY

aws s3 sync "$DIST/" "s3://$bucket/admin/" --region "$REGION" --delete \
  --exclude index.html --exclude config.json \
  --cache-control "public, max-age=31536000, immutable"
aws s3 cp "$DIST/index.html" "s3://$bucket/admin/index.html" --region "$REGION" \
  --cache-control "no-cache" --content-type "text/html; charset=utf-8"
aws s3 cp "$config" "s3://$bucket/admin/config.json" --region "$REGION" \
  --cache-control "no-cache" --content-type "application/json"
aws cloudfront create-invalidation --distribution-id "$distribution" \
  --paths "/admin/index.html" "/admin/config.json" >/dev/null
echo "panel deployed: $panel_url (API $api)"
