#!/usr/bin/env python3
"""Checks that the sample app stays a template (what test.sh can check without Apple's SDKs):

- the testing library's API (the emulated card, the on-phone verifier) only inside `#if DEBUG`
  (an app ships the library without them), and revocation never switched off;
- every state of ContentView's switch has a VoiceOver label, the issuance number is
  `.privacySensitive()`, the raw error code is hidden from VoiceOver; the same for the login
  screen (LoginView: every state labelled, the certificate's serial and key id
  `.privacySensitive()`, reached from ContentView);
- its texts against its String Catalog: every Japanese literal of the
SwiftUI files (App/*.swift, except `Text(verbatim:)`, which is shown as it is) is a key of
MynaSignSample/Localizable.xcstrings, translated in Japanese and English, the English free of
Japanese; and the catalog has no key the code does not use. Interpolations become the format
specifiers SwiftUI's LocalizedStringKey gives them (`%lld` for integers, `%@` otherwise).

Usage: check-sample.py [--list]   (--list prints the keys the code uses)"""
import json, re, sys
from pathlib import Path

here = Path(__file__).resolve().parent.parent
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uff00-\uffef]")
LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')
INTERP = re.compile(r"\\\(((?:[^()]|\([^()]*\))*)\)")


def key_of(literal):
    def spec(m):
        expr = m.group(1)
        return "%lld" if expr.startswith("Int(") or expr.endswith(".count") else "%@"
    return INTERP.sub(spec, literal)


def used_keys():
    keys = set()
    for f in sorted((here / "MynaSignSample" / "App").glob("*.swift")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("//") or "verbatim:" in line:
                continue
            for lit in LITERAL.findall(line):
                if JAPANESE.search(lit):
                    keys.add(key_of(lit))
    return keys


TESTING_API = re.compile(r"\b(Emulator|EmulatorLink|VerifyConsentOptions|verifyConsent|SignFlowController\.verifying|LoginVerifier|LoginCheck|VerifyingLoginService|emulatorOcspResponse)\b")


def template_problems():
    problems = []
    for f in sorted((here / "MynaSignSample").rglob("*.swift")):
        depth = []  # one entry per open #if: whether it is `#if DEBUG`
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            t = line.strip()
            if t.startswith("#if"):
                depth.append(t == "#if DEBUG")
            elif t.startswith("#else") and depth:
                depth[-1] = False
            elif t.startswith("#endif") and depth:
                depth.pop()
            elif not t.startswith("//") and TESTING_API.search(line.split("//")[0]) and not any(depth):
                problems.append(f"{f.name}:{n}: the testing library's API outside #if DEBUG")
            if "allowUncheckedRevocation: true" in line:
                problems.append(f"{f.name}:{n}: revocation switched off")
    view = (here / "MynaSignSample" / "App" / "ContentView.swift").read_text(encoding="utf-8")
    switch = view[view.index("switch model.state {"):view.index(".navigationTitle(")]
    cases = re.split(r"\n\s*case ", switch)[1:]
    for c in cases:
        if ".accessibilityLabel(" not in c:
            problems.append("ContentView: a state without a VoiceOver label: case " + c.split(":")[0])
    if len(cases) < 9:
        problems.append(f"ContentView: {len(cases)} states in the switch, expected every SignFlowState")
    if not re.search(r'LabeledContent\("発行番号"[^\n]*\n\s*\.privacySensitive\(\)', view):
        problems.append("ContentView: the issuance number is not .privacySensitive()")
    if not re.search(r"message\.code\)[^\n]*\n\s*\.accessibilityHidden\(true\)", view):
        problems.append("ContentView: the raw error code is read out by VoiceOver")
    # The login screen (LoginView.swift): every LoginFlowState labelled, the certificate's
    # serial and key id .privacySensitive(), the screen reachable from the consent screen.
    login = (here / "MynaSignSample" / "App" / "LoginView.swift").read_text(encoding="utf-8")
    switch = login[login.index("switch model.state {"):login.index(".navigationTitle(")]
    cases = re.split(r"\n\s*case ", switch)[1:]
    for c in cases:
        if ".accessibilityLabel(" not in c:
            problems.append("LoginView: a state without a VoiceOver label: case " + c.split(":")[0])
    if len(cases) < 7:
        problems.append(f"LoginView: {len(cases)} states in the switch, expected every LoginFlowState")
    for label in ("シリアル番号", "鍵識別子"):
        if not re.search(r'LabeledContent\("' + label + r'"[^\n]*\n\s*\.privacySensitive\(\)', login):
            problems.append(f"LoginView: {label} is not .privacySensitive()")
    if "LoginView(" not in view:
        problems.append("ContentView: no way to the login screen")
    return problems


def main():
    keys = used_keys()
    if "--list" in sys.argv:
        print("\n".join(sorted(keys)))
        return 0
    catalog = json.loads((here / "MynaSignSample" / "Localizable.xcstrings").read_text(encoding="utf-8"))
    problems = []
    if catalog.get("sourceLanguage") != "ja":
        problems.append("sourceLanguage is not ja")
    strings = catalog.get("strings", {})
    for k in sorted(keys):
        entry = strings.get(k)
        if entry is None:
            problems.append(f"not in the catalog: {k}")
            continue
        locs = entry.get("localizations", {})
        for lang in ("ja", "en"):
            unit = locs.get(lang, {}).get("stringUnit", {})
            if unit.get("state") != "translated" or not unit.get("value"):
                problems.append(f"{k}: no {lang} translation")
        en = locs.get("en", {}).get("stringUnit", {}).get("value", "")
        if JAPANESE.search(en):
            problems.append(f"{k}: the English text has Japanese: {en}")
        for lang in ("ja", "en"):
            v = locs.get(lang, {}).get("stringUnit", {}).get("value", "")
            if sorted(re.findall(r"%(?:lld|@)", v)) != sorted(re.findall(r"%(?:lld|@)", k)):
                problems.append(f"{k}: the {lang} text has other placeholders: {v}")
    for k in sorted(set(strings) - keys):
        problems.append(f"in the catalog, not in the code: {k}")
    problems += template_problems()
    for p in problems:
        print(f"ios-sample: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"ios-sample: {len(keys)} texts, each in the catalog in Japanese and English; the testing API only in debug builds; every state labelled for VoiceOver")
    return 0


sys.exit(main())
