plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "jp.mynasign.sample.android"
    compileSdk = 35

    defaultConfig {
        applicationId = "jp.mynasign.sample"
        minSdk = 28 // android.se.omapi
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
    }

    sourceSets {
        getByName("main") {
            // The flow controller shared with the JVM tests (plain Kotlin, no Android imports).
            kotlin.srcDir("../flow/src/main/kotlin")
        }
        // The debug build type adds src/debug/kotlin (its default folder: the emulated card,
        // the app's own check of a consent) and the flow's emulator link and verifier check.
        // The release build type adds src/release/kotlin (neither). Nothing in src/main names
        // the emulator or the verifier.
        getByName("debug") {
            kotlin.srcDir("../flow/src/debug/kotlin")
        }
    }

    buildTypes {
        release {
            isMinifyEnabled = true // exercises the library's consumer keep rules
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"))
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin {
    jvmToolchain(17)
}

dependencies {
    // Debug: the testing artifact, this repository's module built with the emulator and the
    // verifier (FEATURES="emulator verify" bash ../bindings/kotlin/build-android.sh, then
    // gradle -Pmynasign.features="emulator verify" :app:assembleDebug).
    debugImplementation(project(":mynasign"))
    // Release: what an app ships, the library without features (build-android.sh with
    // AAR_CLASSES and AAR_REPO=android-sample/local-repo publishes it; settings.gradle.kts
    // lists that repository). No emulator class is in it (make test-android checks the
    // release build's classes).
    releaseImplementation("jp.mynasign:mynasign-android:0.1.0")
    // Dispatchers.Main for MainScope (the library brings kotlinx-coroutines-core).
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
}
