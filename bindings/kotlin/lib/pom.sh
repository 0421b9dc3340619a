# Sourced by publish-local.sh, lib/core-jar.sh and package-aar.sh: the one place that defines the published
# POMs' project metadata (URL, SCM, licences, developers) and the version.
#
# SCM and URL: a placeholder. The project has no public repository address yet; this is the
# one place to change when it has (or set MYNASIGN_SCM_URL, e.g. for a fork's publication).
# The test (test-publish.sh) checks that the published POMs carry whatever is set here.
MYNASIGN_SCM_URL="${MYNASIGN_SCM_URL:-https://github.com/mynasign/mynasign}"

# Cargo.toml's [workspace.package] version: the project's one version source.
mynasign_version() {
  local root="$1" v
  v="$(sed -n '/^\[workspace.package\]/,/^\[/{s/^version = "\(.*\)"/\1/p}' "$root/Cargo.toml")"
  [ -n "$v" ] || { echo "no [workspace.package] version in $root/Cargo.toml" >&2; return 1; }
  printf '%s\n' "$v"
}

# pom_dep GROUP ARTIFACT VERSION [TYPE]: one <dependency> element.
pom_dep() {
  printf '    <dependency>\n      <groupId>%s</groupId>\n      <artifactId>%s</artifactId>\n      <version>%s</version>\n' "$1" "$2" "$3"
  [ -z "${4:-}" ] || printf '      <type>%s</type>\n' "$4"
  printf '    </dependency>'
}

# write_pom FILE ARTIFACT_ID VERSION PACKAGING NAME DESCRIPTION DEPENDENCIES_XML
write_pom() {
  local file="$1" artifact="$2" version="$3" packaging="$4" name="$5" description="$6" deps="$7"
  local url="$MYNASIGN_SCM_URL" host_path="${MYNASIGN_SCM_URL#https://}"
  cat >"$file" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>jp.mynasign</groupId>
  <artifactId>$artifact</artifactId>
  <version>$version</version>
  <packaging>$packaging</packaging>
  <name>$name</name>
  <description>$description</description>
  <url>$url</url>
  <licenses>
    <license>
      <name>Apache-2.0</name>
      <url>https://spdx.org/licenses/Apache-2.0.html</url>
      <distribution>repo</distribution>
      <comments>Apache-2.0 OR MIT: either licence, at your option (LICENSE-APACHE, LICENSE-MIT).</comments>
    </license>
    <license>
      <name>MIT</name>
      <url>https://spdx.org/licenses/MIT.html</url>
      <distribution>repo</distribution>
    </license>
  </licenses>
  <developers>
    <developer>
      <id>mynasign</id>
      <name>The mynasign developers</name>
      <url>$url</url>
    </developer>
  </developers>
  <scm>
    <connection>scm:git:$url.git</connection>
    <developerConnection>scm:git:ssh://git@${host_path%%/*}/${host_path#*/}.git</developerConnection>
    <url>$url</url>
  </scm>
  <dependencies>
$deps
  </dependencies>
</project>
POM
}

# JNA's resource folder for the host's native library (where the jar carries it).
mynasign_jna_dir() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo linux-x86-64 ;;
    Linux-aarch64) echo linux-aarch64 ;;
    *) echo "unsupported host $(uname -s)-$(uname -m)" >&2; return 1 ;;
  esac
}
