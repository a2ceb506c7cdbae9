#!/usr/bin/env bash
# build-css.sh compiles scss/site.scss into static/site.css. Run it only to
# change the stylesheet: the output is committed and embedded in the
# binary, so building a site never needs Node. It installs govuk-frontend,
# @ministryofjustice/frontend and sass from npm into a temporary folder
# that is removed afterwards (nothing of node_modules is committed).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts \
	govuk-frontend@6 @ministryofjustice/frontend@11 sass@1 >/dev/null
{
	echo "/*! register site stylesheet, compiled by templates/build-css.sh from"
	echo " * templates/scss/site.scss with govuk-frontend $(node -p 'require("govuk-frontend/package.json").version')"
	echo " * and @ministryofjustice/frontend $(node -p 'require("@ministryofjustice/frontend/package.json").version')"
	echo " * (both MIT licensed; see LICENSE-frontend.txt beside this file). */"
	npx --no-install sass --no-source-map --style=compressed --quiet-deps \
		--load-path=node_modules --load-path=. "$here/scss/site.scss"
} >"$here/static/site.css.tmp"
mv "$here/static/site.css.tmp" "$here/static/site.css"
echo "wrote $here/static/site.css ($(wc -c <"$here/static/site.css") bytes)"
