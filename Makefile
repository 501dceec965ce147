# Paramiko for Swift — build, test, benchmark.
SWIFT ?= swift
APT_PACKAGES := pkg-config libssl-dev zlib1g-dev libkrb5-dev openssh-server openssh-client python3-pip dropbear-bin tinysshd ucspi-tcp rsync iputils-ping iproute2 putty-tools tmux krb5-kdc krb5-admin-server krb5-user xauth xvfb x11-utils libssh2-1-dev
PIP_PACKAGES := paramiko asyncssh

.PHONY: all deps build test bench demo lint clean

all: build

# Installs what a fresh Debian machine lacks: system packages, then Python peers.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@for p in $(PIP_PACKAGES); do \
	  python3 -c "import $$p" 2>/dev/null || python3 -m pip install -q $$p \
	    || python3 -m pip install -q --break-system-packages $$p; done

build: deps
	$(SWIFT) build -c release --product paramiko

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

# Starts `paramiko serve` and shows our client, then OpenSSH's ssh and sftp, against it.
demo: deps
	$(SWIFT) build -c release --product paramiko
	.build/release/paramiko demo

bench: deps
	$(SWIFT) build -c release --product paramiko
	./bench/run

lint:
	$(SWIFT) format lint --recursive --strict Sources Tests

clean:
	rm -rf .build
