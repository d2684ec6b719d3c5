package io.scalesmall.cli.client;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table: a header row, then rows, columns two spaces apart and padded to their widest cell;
 * numeric columns are right-aligned. No trailing spaces. Not thread-safe.
 */
final class Table {
    private final String[] headers;
    private final boolean[] right;
    private final List<String[]> rows = new ArrayList<>();

    /** @param headers column titles; a title starting with {@code >} marks a right-aligned column (the mark is dropped) */
    Table(String... headers) {
        this.headers = new String[headers.length];
        this.right = new boolean[headers.length];
        for (int i = 0; i < headers.length; i++) {
            right[i] = headers[i].startsWith(">");
            this.headers[i] = right[i] ? headers[i].substring(1) : headers[i];
        }
    }

    /** Adds a row; {@code cells} must match the headers in number. */
    Table row(Object... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("cells: " + cells.length + ", expected " + headers.length);
        }
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = String.valueOf(cells[i]);
        }
        rows.add(r);
        return this;
    }

    void print(PrintWriter out) {
        int[] width = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            width[i] = headers[i].length();
            for (String[] r : rows) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        line(out, headers, width);
        for (String[] r : rows) {
            line(out, r, width);
        }
    }

    private void line(PrintWriter out, String[] cells, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                b.append("  ");
            }
            String pad = " ".repeat(width[i] - cells[i].length());
            b.append(right[i] ? pad + cells[i] : cells[i] + pad);
        }
        out.println(b.toString().stripTrailing());
    }
}
