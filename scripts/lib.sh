# Shared helpers for the project's scripts (sourced, not run).
UPBOND_CACHE="${UPBOND_CACHE:-$HOME/.cache/upbond-login}"
mkdir -p "$UPBOND_CACHE"

step() { printf '\n==> %s\n' "$*"; }

# Installs a Rust toolchain with rustup when cargo is missing.
ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    [ -x "$HOME/.cargo/bin/cargo" ] || {
      command -v curl >/dev/null || { echo "need curl or an installed Rust toolchain" >&2; exit 1; }
      curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component rustfmt,clippy
    }
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt clippy
}
