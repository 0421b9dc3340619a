// The sample app. `:mynasign` is the Android library in ../bindings/kotlin (run its
// build-android.sh first); the app also compiles ../flow/src/main/kotlin, the
// platform-independent flow controller that CI compiles and tests on the JVM.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
        // The release build's library (jp.mynasign:mynasign-android without features), as
        // build-android.sh publishes it with AAR_REPO=<this folder>/local-repo.
        maven { url = uri("local-repo") }
    }
}

rootProject.name = "mynasign-sample"
include(":app")
include(":mynasign")
project(":mynasign").projectDir = file("../bindings/kotlin")
