package io.scalesmall.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TableTest {
    @Test
    void padsColumnsRightAlignsNumbersAndLeavesNoTrailingSpaces() {
        StringWriter w = new StringWriter();
        new Table("NAME", ">N", "NOTE").row("a", 1, "x").row("longer", 12345, "").print(new PrintWriter(w, true));
        assertThat(w.toString()).isEqualTo(""
                + "NAME        N  NOTE\n"
                + "a           1  x\n"
                + "longer  12345\n");
    }

    @Test
    void refusesARowOfTheWrongWidth() {
        assertThatThrownBy(() -> new Table("A", "B").row("x")).hasMessage("cells: 1, expected 2");
    }
}
