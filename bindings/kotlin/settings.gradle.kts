// The Android library `mynasign` (namespace jp.mynasign): the generated Kotlin bindings
// (generated/, from uniffi/generate.sh) with the native libraries (jniLibs/, from
// build-android.sh). Build: `bash build-android.sh && gradle :assembleRelease`.
// An app in another build includes it with
//   includeBuild("path/to/bindings/kotlin")  // or: include(":mynasign"); project(":mynasign").projectDir = file(...)
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
    }
}

rootProject.name = "mynasign"
