# Sourced by the Kotlin test and publish scripts: installs a JDK (17) and Maven with apt when
# they are missing (CI's machine is fresh; apt-get update runs once, only when needed).
mynasign_need_jdk_maven() {
  local missing=()
  command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  [ "${#missing[@]}" -eq 0 ] && return 0
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}
