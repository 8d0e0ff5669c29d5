"""The seeds' misprints: for each seed sheet, the lines (canonical names) whose published figure is
wrong at the digits printed, with why (shared by tests/derivation/test_seed_documents.py and
tests/derivation/checking/test_check.py)."""

# name (canonical) -> why the published figure is wrong
MISPRINTS = {
    "seed1": {
        "E_total@1": "0.291027924 is the updated-weights loop's error after one update; exact: 0.291027774",
        "E_total@10000": "0.0000351085 is the error after 9,999 updates; after 10,000 it is 0.0000351019",
        "out_o1@10000": "0.015912196 comes from a loop that backpropagates through already-updated w5..w8",
        "out_o2@10000": "0.984065734 comes from a loop that backpropagates through already-updated w5..w8",
    },
    "seed2": {
        "E_total@1": "as seed1",
        "E_total@10000": "0.000035085 is the updated-weights loop's error; the exact one is 0.0000351019",
        "out_o1@10000": "as seed1",
        "out_o2@10000": "as seed1",
    },
    "seed3": {
        "dnet_o1/dw5": "0.596884378 is out_h2; dnet_o1/dw5 = out_h1 = 0.593269992",
        "w6+": "408666186 lost its '0.': w6+ = 0.408666186",
        # Long figures worked from the sheet's own rounded lines are right (the rule: the exact value
        # rounded or truncated to the digits written, one unit carried, or what the sheet's own right
        # earlier lines give).  E2 = 0.0235600257 (exact 0.02356002558: rounded 0.0235600256, one unit
        # carried), Error_w5 = 0.0821670407 and dE1/dH1_final = 0.0553994248 (each one unit from its
        # rounding); dE2/dy2 = -0.0380982366126414 is (0.772928465 - 0.99) * 0.175510053 from lines 12
        # and 23, dE2/dH1_final = -0.0190491183063207 is that times w7 = 0.5, and dH1_final/dH1 =
        # 0.2413007085923199 is 0.593269992 * (1 - 0.593269992) from line 6.  Still wrong:
        "dE_total/dout_h1": "0.0553994248 + (-0.0190491183) is 0.0363503065, not 0.0364908242",
        "E_total@1": "as seed1",
        "E_total@10000": "as seed1",
        "out_o1@10000": "0.159121960 is seed1's 0.015912196 with a digit moved, itself not exact",
        "out_o2@10000": "as seed1",
    },
}
