"""Public sources of the signals, short form first (``finding.source``), with their addresses.

Taken from ``shared/design/signals.md``; docs/checks.md lists the same table. A finding's
``source`` is the short form of the first source behind its signal.
"""

from __future__ import annotations

from typing import Final

G1: Final = "State/Treasury/FBI advisory 2022-05-16"
G2: Final = "FBI PSA 2023-10-18"
G4: Final = "FBI PSA 2025-01-23"
G5: Final = "FBI PSA 2025-07-23"
G7: Final = "BfV notice 2024-10"
G8: Final = "OFAC designations 2018–2025"
G9: Final = "DOJ actions 2023-10 / 2025-06-30"
V1: Final = "Mandiant 2024-09"
V2: Final = "GTIG 2025-04"
V5: Final = "Microsoft 2025-06-30 (Jasper Sleet)"
V9: Final = "Secureworks CTU 2024-10"
V11: Final = "KnowBe4 2024-07-23"
V13: Final = "Recorded Future 2026-08-18 (PurpleDelta)"
V15: Final = "Pindrop 2026-02-25"
V16: Final = "Mandiant podcast 2025-05-19"
V18: Final = "DTEX 2024-10"
C1: Final = "SEAL Frameworks, Insider Threats"
C2: Final = "shortdoom/gh-fake-analyzer"
C3: Final = "tayvano/lazarus-bluenoroff-research (community, unverified)"
A3: Final = "Sardine, fake job candidate detection"
P9: Final = "Remotely, preventing fraud in remote hiring"

URLS: Final[dict[str, str]] = {
    G1: "https://ofac.treasury.gov/media/923126/download?inline",
    G2: "https://ic3.gov/PSA/2023/PSA231018",
    G4: "https://archive.orkl.eu/331a8b28c90929275e938e101c80de6811fa6303.json",
    G5: "https://www.ic3.gov/PSA/2025/PSA250723-4",
    G7: "https://www.zeit.de/digital/2024-10/cybersicherheit-nordkorea-it-dienste-verfassungsschutz-warnung",
    G8: "https://home.treasury.gov/news/press-releases/jy2790",
    G9: "https://therecord.media/doj-raids-laptop-farms-crackdown",
    V1: "https://cloud.google.com/blog/topics/threat-intelligence/mitigating-dprk-it-worker-threat",
    V2: "https://cloud.google.com/blog/topics/threat-intelligence/dprk-it-workers-expanding-scope-scale/",
    V5: "https://www.microsoft.com/en-us/security/blog/2025/06/30/jasper-sleet-north-korean-remote-it-workers-evolving-tactics-to-infiltrate-organizations/",
    V9: "https://www.theregister.com/2024/10/18/ransom_fake_it_worker_scam/",
    V11: "https://www.infosecurity-magazine.com/news/north-korean-hackers-targeted/",
    V13: "https://www.recordedfuture.com/research/purpledelta-fraudulent-employment-operations",
    V15: "https://www.pindrop.com/article/hiring-telemetry-pulse-for-meetings-insights",
    V16: "https://pod.wave.co/podcast/the-defenders-advantage-podcast/responding-to-a-dprk-itw-incident",
    V18: "https://dtexsystems.com/?p=9615",
    C1: "https://frameworks.securityalliance.dev/insider-threats/summary.html",
    C2: "https://github.com/shortdoom/gh-fake-analyzer",
    C3: "https://github.com/tayvano/lazarus-bluenoroff-research",
    A3: "https://www.sardine.ai/engineering-blogs/fake-job-candidate-detection-system",
    P9: "https://folu.me/post/erzbgryl-d-djbexf/blog/preventing-fraud-in-remote-hiring",
}
