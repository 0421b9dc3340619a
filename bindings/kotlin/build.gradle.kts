// Android library module `mynasign`: the uniffi-generated Kotlin bindings of mynasign-ffi and
// the hand-written Kotlin layer on them (MynaSign, MynaSignException, CardFlowEvent).
// Sources: generated/ (bash ../../uniffi/generate.sh kotlin generated, done by
// build-android.sh) and src/main/kotlin (the layer, also compiled by the JVM tests);
// native libraries: jniLibs/<abi>/libmynasign_ffi.so (build-android.sh).
plugins {
    id("com.android.library") version "8.7.3"
    id("org.jetbrains.kotlin.android") version "2.1.21"
}

group = "jp.mynasign"
version = "0.1.0"

android {
    namespace = "jp.mynasign"
    compileSdk = 35

    defaultConfig {
        // android.se.omapi (the smartphone certificate) needs API 28; NFC reader mode 19.
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
        ndk {
            abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64")
        }
    }

    sourceSets {
        getByName("main") {
            kotlin.srcDir("generated")
            kotlin.srcDir("src/main/kotlin")
            // NFC and OMAPI (jp.mynasign.android); kept apart so the JVM tests compile without them.
            kotlin.srcDir("src/android/kotlin")
            // The verifier's Kotlin only when the libraries were built with it
            // (FEATURES="emulator verify" bash build-android.sh, for the sample).
            if ((findProperty("mynasign.features") as String? ?: "").contains("verify")) {
                kotlin.srcDir("src/verify/kotlin")
            }
            jniLibs.srcDir("jniLibs")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    packaging {
        jniLibs {
            // build-android.sh already stripped the packaged copies.
            keepDebugSymbols += "**/libmynasign_ffi.so"
        }
    }
}

kotlin {
    jvmToolchain(17)
    compilerOptions {
        allWarningsAsErrors.set(true)
    }
}

dependencies {
    // JNA as an AAR: it carries libjnidispatch.so for every Android ABI.
    api("net.java.dev.jna:jna:5.17.0@aar")
    // @RequiresApi(28) on the OMAPI classes, for the app's lint.
    implementation("androidx.annotation:annotation:1.9.1")
    // uniffi's suspend functions and the layer's Flow variants (same version as jvm-tests/pom.xml).
    api("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.10.2")
}
