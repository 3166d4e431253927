# The two commands of the README, and a few for day-to-day work.
SHELL := /bin/bash
.PHONY: run test install services stop status lint demo doctor production

run: install services   ## install what is missing, start services, serve the demo catalog
	scripts/doctor.sh
	scripts/site.sh setup
	scripts/site.sh serve

# install.sh then also installs chromium + CJK fonts for tests/journeys. (No comment on the line
# itself: GNU make would keep the blanks before it in the value.)
test: export GOVCATALOG_BROWSER := 1
test: install services  ## the whole test suite against real PostgreSQL, Solr and Redis
	scripts/doctor.sh
	scripts/test.sh

install:
	scripts/install.sh

services:
	scripts/services.sh start

# gunicorn (config/gunicorn.conf.py) and `ckan jobs worker` in the background; see the README
production: install services
	scripts/doctor.sh
	scripts/site.sh setup
	scripts/site.sh serve-production

doctor:  ## what is missing, all at once
	scripts/doctor.sh

stop:
	scripts/site.sh stop-production
	scripts/services.sh stop

status:
	scripts/services.sh status

demo: install services
	scripts/site.sh setup

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
