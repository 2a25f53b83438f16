package io.dockhand.sample.logic

/**
 * Every scanner gives dockhand the same thing: the barcode's data with its AIM symbology
 * identifier when the symbology is a GS1 one (`]d2` GS1 DataMatrix, `]C1` GS1-128, `]Q3` GS1 QR),
 * and group separators (ASCII 29) between variable-length fields. EAN/UPC pass through bare: the
 * core reads them by length and check digit.
 */
object Scans {
    const val GS = '\u001d'

    // ML Kit's Barcode.FORMAT_* values (com.google.mlkit.vision.barcode.common.Barcode).
    const val MLKIT_CODE_128 = 1
    const val MLKIT_DATA_MATRIX = 16
    const val MLKIT_QR_CODE = 256

    /** A camera read by ML Kit: it gives the data without the leading FNC1, GS between fields. */
    fun fromMlKit(rawValue: String, format: Int): String {
        val prefix = when (format) {
            MLKIT_DATA_MATRIX -> "]d2"
            MLKIT_CODE_128 -> "]C1"
            MLKIT_QR_CODE -> "]Q3"
            else -> return rawValue.trim()
        }
        return if (looksLikeGs1(rawValue)) prefix + rawValue else rawValue.trim()
    }

    /**
     * A Zebra DataWedge intent: `com.symbol.datawedge.data_string` with
     * `com.symbol.datawedge.label_type` (e.g. `LABEL-TYPE-GS1-DATAMATRIX`). DataWedge keeps GS.
     */
    fun fromDataWedge(data: String, labelType: String?): String {
        val prefix = when (labelType?.uppercase()) {
            "LABEL-TYPE-GS1-DATAMATRIX" -> "]d2"
            "LABEL-TYPE-GS1-128", "LABEL-TYPE-EAN128" -> "]C1"
            "LABEL-TYPE-GS1-QRCODE" -> "]Q3"
            else -> null
        }
        return if (prefix != null && !data.startsWith("]")) prefix + data else data.trim()
    }

    /** GS1 element strings start with an AI such as 00 (SSCC) or 01/02 (GTIN), or carry GS. */
    private fun looksLikeGs1(data: String): Boolean =
        data.indexOf(GS) >= 0 ||
            Regex("^(00\\d{18}|0[12]\\d{14})").containsMatchIn(data)
}

/**
 * A keyboard-wedge scanner types the barcode followed by Enter. Characters that arrive further
 * apart than [maxGapMillis] are a person typing, not a scanner: the buffer starts again. Set the
 * scanner to send GS as [gsStandIn] (many cannot type ASCII 29); it is turned back into GS.
 */
class KeyboardWedge(private val maxGapMillis: Long = 80, private val gsStandIn: Char? = null) {
    private val buffer = StringBuilder()
    private var lastAt = Long.MIN_VALUE

    /** Feeds one character; returns the scan when it completes one. */
    fun key(c: Char, atMillis: Long): String? {
        if (c == '\n' || c == '\r') {
            val scan = buffer.toString().trim()
            buffer.clear()
            lastAt = Long.MIN_VALUE
            return scan.ifEmpty { null }
        }
        if (lastAt != Long.MIN_VALUE && atMillis - lastAt > maxGapMillis) buffer.clear()
        lastAt = atMillis
        buffer.append(if (gsStandIn != null && c == gsStandIn) Scans.GS else c)
        return null
    }
}
