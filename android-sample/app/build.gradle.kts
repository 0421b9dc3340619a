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
    implementation(project(":mynasign"))
    // Dispatchers.Main for MainScope (the library brings kotlinx-coroutines-core).
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
}
