"""An unnamed intermediate is named by a short expression of its inputs, not ``Mul:0``."""

from __future__ import annotations

from typing import Any

from tapetui.trace import OpEvent, Tensor, Trace, Variable
from tapetui.trace.labels import LIMIT, label


class Ops:
    """A trace built op by op, as the recorder would have seen it."""

    def __init__(self) -> None:
        self.trace = Trace("t.py", status="finished")
        self.next = 0

    def _id(self) -> int:
        self.next += 1
        return self.next

    def tensor(self, name: str | None = None, value: Any = None, dtype: str = "float32") -> int:
        ref = self._id()
        self.trace.tensors[ref] = Tensor(ref, dtype, [], value, name=name)
        return ref

    def variable(self, pyname: str | None, tf_name: str = "Variable") -> int:
        ref = self._id()
        self.trace.variables[ref] = Variable(ref, tf_name, "float32", [], True, pyname=pyname)
        self.trace.tensors[ref] = Tensor(ref, "resource", [], variable=ref)
        return ref

    def op(
        self,
        op_type: str,
        *inputs: int,
        name: str | None = None,
        outputs: int = 1,
        **details: Any,
    ) -> int:
        op = self._id()
        outs = [self._id() for _ in range(outputs)]
        for i, ref in enumerate(outs):
            self.trace.tensors[ref] = Tensor(ref, "float32", [], name=name if i == 0 else None)
            self.trace.tensors[ref].producer = op
        seq = len(self.trace.events)
        event = OpEvent(seq, "t.py", 1, op=op, op_type=op_type, inputs=list(inputs), outputs=outs)
        for key, value in details.items():
            setattr(event, key, value)
        self.trace.events.append(event)
        self.trace.reindex()
        return outs[0]

    def read(self, variable: int) -> int:
        out = self.op("ReadVariableOp", variable)
        self.trace.tensors[out].variable = variable
        return out

    def label(self, ref: int) -> str:
        return label(self.trace, ref)


def test_a_product_reads_as_the_product_of_its_inputs() -> None:
    t = Ops()
    x = t.tensor("x")
    square = t.op("Mul", x, x)
    cube = t.op("Mul", square, x)
    assert (t.label(square), t.label(cube)) == ("x*x", "x*x*x")
    assert t.label(t.op("Mul", x, square)) == "x*(x*x)"


def test_named_inputs_make_the_sum() -> None:
    t = Ops()
    z1, z2 = t.tensor("z1"), t.tensor("z2")
    assert t.label(t.op("AddV2", z1, z2)) == "z1 + z2"


def test_a_loss_reads_as_it_was_written_without_its_axis() -> None:
    t = Ops()
    y_pred, y_true = t.tensor("y_pred"), t.tensor("y_true")
    axis = t.tensor(value=[0], dtype="int32")
    diff = t.op("Sub", y_pred, y_true)
    loss = t.op("Mean", t.op("Square", diff), axis)
    assert t.label(loss) == "mean(square(y_pred - y_true))"
    assert t.label(t.op("Sum", diff, axis)) == "sum(y_pred - y_true)"


def test_precedence_decides_the_parentheses() -> None:
    t = Ops()
    a, b, c = t.tensor("a"), t.tensor("b"), t.tensor("c")
    assert t.label(t.op("Mul", t.op("AddV2", a, b), c)) == "(a + b)*c"
    assert t.label(t.op("AddV2", t.op("Mul", a, b), c)) == "a*b + c"
    assert t.label(t.op("Sub", a, t.op("Sub", b, c))) == "a - (b - c)"
    assert t.label(t.op("Sub", t.op("Sub", a, b), c)) == "a - b - c"
    assert t.label(t.op("RealDiv", a, t.op("Mul", b, c))) == "a / (b*c)"
    assert t.label(t.op("RealDiv", t.op("Mul", a, b), c)) == "a*b / c"
    # a tight * never takes a spaced / bare: ``a / b*c`` would read as a / (b*c)
    assert t.label(t.op("Mul", t.op("RealDiv", a, b), c)) == "(a / b)*c"
    assert t.label(t.op("Neg", a)) == "-a"
    assert t.label(t.op("Neg", t.op("AddV2", a, b))) == "-(a + b)"
    assert t.label(t.op("Pow", t.op("Mul", a, b), t.tensor(value=2.0))) == "(a*b)**2.0"


def test_matmul_division_and_functions() -> None:
    t = Ops()
    a, x, y = t.tensor("a"), t.tensor("x"), t.tensor("y")
    w = t.read(t.variable("W"))
    assert t.label(t.op("MatMul", a, w)) == "a @ W"
    transposed = t.op("MatMul", a, w, attrs={"transpose_b": "True"})
    assert t.label(transposed) == "a @ Wᵀ"
    assert t.label(t.op("RealDiv", x, y)) == "x / y"
    for op_type, name in [
        ("Log", "log"),
        ("Sqrt", "sqrt"),
        ("Relu", "relu"),
        ("Sigmoid", "sigmoid"),
    ]:
        assert t.label(t.op(op_type, x)) == f"{name}(x)"
    assert t.label(t.op("SquaredDifference", x, y)) == "squared_difference(x, y)"
    assert t.label(t.op("Cast", x, attrs={"DstT": "int32"})) == "cast(x, int32)"


def test_a_variable_read_is_the_variable_and_a_constant_its_value() -> None:
    t = Ops()
    x = t.read(t.variable("x"))
    unnamed = t.read(t.variable(None, "dense/kernel"))
    two = t.tensor(value=2.0)
    assert t.label(x) == "x"
    assert t.label(t.op("Mul", x, two)) == "x*2.0"
    assert t.label(t.op("Mul", unnamed, x)) == "dense/kernel*x"
    assert t.label(t.op("Mul", x, t.tensor(value=-1.0))) == "x*-1.0"
    assert t.label(t.op("Mul", x, t.tensor(value=[1.5] * 20))) == "x*const"
    assert t.label(two) == "constant 2.0"  # alone, a constant still says what it is


def test_a_tf_function_call_is_named_after_the_function() -> None:
    t = Ops()
    x = t.tensor("x")
    assert t.label(t.op("StatefulPartitionedCall", x, function="f")) == "f(x)"


def test_a_keras_layers_output_is_named_after_the_layer() -> None:
    t = Ops()
    x = t.tensor("x")
    kernel = t.read(t.variable("dense_1/kernel"))
    bias = t.read(t.variable("dense_1/bias"))
    product = t.op("MatMul", x, kernel, layer="dense_1")
    out = t.op("BiasAdd", product, bias, layer="dense_1")
    loss = t.op("Mean", t.op("Square", out))
    assert t.label(out) == "dense_1(x)"
    assert t.label(product) == "x @ dense_1/kernel"  # inside the layer, its own expression
    assert t.label(loss) == "mean(square(dense_1(x)))"


def test_the_scenarios_names_win_over_expressions() -> None:
    t = Ops()
    x = t.tensor("x")
    z1 = t.op("Mul", x, x, name="z1")
    assert t.label(z1) == "z1"
    assert t.label(t.op("AddV2", z1, x)) == "z1 + x"


def test_only_an_op_with_several_outputs_numbers_them() -> None:
    t = Ops()
    x = t.tensor("x")
    first = t.op("Unpack", x, outputs=2)
    second = first + 1
    assert (t.label(first), t.label(second)) == ("unstack(x):0", "unstack(x):1")
    assert t.label(t.op("AddV2", first, second)) == "unstack(x):0 + unstack(x):1"
    assert t.label(t.op("Exp", x)) == "exp(x)"


def test_a_long_expression_loses_its_innermost_parts_first() -> None:
    t = Ops()
    x = t.tensor("x")
    y = x
    for _ in range(40):
        y = t.op("Mul", y, x)
    text = t.label(y)
    assert len(text) <= LIMIT
    assert text.startswith("…*x*x") and text.endswith("*x*x")
    loss = t.op("Mean", t.op("Square", t.op("Sub", t.tensor("predictions_of_the_model"), x)))
    assert t.label(loss) == "mean(square(… - x))"


def test_a_chain_of_100000_ops_is_named_without_recursing() -> None:
    t = Ops()
    y = x = t.tensor("x")
    events = t.trace.events
    for i in range(100_000):
        out = 10_000_000 + i
        t.trace.tensors[out] = Tensor(out, "float32", [], producer=out)
        events.append(OpEvent(i, "t.py", 1, op=out, op_type="Mul", inputs=[y, x], outputs=[out]))
        y = out
    t.trace.reindex()
    assert t.label(y).endswith("*x*x*x")
    assert t.label(10_000_001) == "x*x*x"


def test_names_follow_the_trace_when_it_changes() -> None:
    t = Ops()
    x = t.tensor("x")
    square = t.op("Mul", x, x)
    assert t.label(square) == "x*x"
    t.trace.tensors[x].name = "w"
    t.op("Neg", square)  # the trace grew: its names are made again
    assert t.label(square) == "w*w"
