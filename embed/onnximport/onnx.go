package onnximport

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of the parts of onnx.proto this package reads.
const (
	modelGraph       = 7 // ModelProto.graph
	graphNode        = 1 // GraphProto.node
	graphInitializer = 5 // GraphProto.initializer
	nodeInput        = 1 // NodeProto.input
	nodeName         = 3 // NodeProto.name
	nodeOpType       = 4 // NodeProto.op_type
	tensorDims       = 1 // TensorProto.dims
	tensorDataType   = 2 // TensorProto.data_type
	tensorFloatData  = 4 // TensorProto.float_data
	tensorName       = 8 // TensorProto.name
	tensorRawData    = 9 // TensorProto.raw_data
	tensorLocation   = 14
	onnxFloat        = 1 // TensorProto.DataType FLOAT
)

// maxDims bounds a tensor's rank: BERT weights have one or two.
const maxDims = 8

// tensor is one float32 initializer of an ONNX graph.
type tensor struct {
	dims []int
	data []float32
}

// node is the part of an ONNX graph node that names its weights.
type node struct {
	name, op string
	inputs   []string
}

// graph is what an encoder import needs of an ONNX model: its float
// initializers by name and its nodes.
type graph struct {
	tensors map[string]tensor
	nodes   []node
}

// parseModel reads an ONNX ModelProto. It keeps float32 initializers and
// node names, op types and inputs; everything else is skipped unread.
func parseModel(b []byte) (graph, error) {
	g := graph{tensors: map[string]tensor{}}
	var graphBytes []byte
	if err := eachField(b, func(num protowire.Number, v []byte, _ uint64) error {
		if num == modelGraph {
			graphBytes = v
		}
		return nil
	}); err != nil {
		return g, fmt.Errorf("onnx model: %w", err)
	}
	if graphBytes == nil {
		return g, errors.New("onnx model: no graph")
	}
	err := eachField(graphBytes, func(num protowire.Number, v []byte, _ uint64) error {
		switch num {
		case graphNode:
			n, err := parseNode(v)
			if err != nil {
				return err
			}
			g.nodes = append(g.nodes, n)
		case graphInitializer:
			name, t, err := parseTensor(v)
			if err != nil {
				return fmt.Errorf("initializer %q: %w", name, err)
			}
			if t.data != nil {
				g.tensors[name] = t
			}
		}
		return nil
	})
	if err != nil {
		return g, fmt.Errorf("onnx graph: %w", err)
	}
	return g, nil
}

func parseNode(b []byte) (node, error) {
	var n node
	err := eachField(b, func(num protowire.Number, v []byte, _ uint64) error {
		switch num {
		case nodeInput:
			n.inputs = append(n.inputs, string(v))
		case nodeName:
			n.name = string(v)
		case nodeOpType:
			n.op = string(v)
		}
		return nil
	})
	return n, err
}

// parseTensor decodes a TensorProto. A tensor that is not float32 comes
// back with nil data; one stored outside the file is an error.
func parseTensor(b []byte) (string, tensor, error) {
	var (
		name     string
		t        tensor
		dataType uint64
		raw      []byte
		floats   []float32
		external bool
	)
	err := eachField(b, func(num protowire.Number, v []byte, u uint64) error {
		switch num {
		case tensorDims:
			if v == nil { // unpacked
				return t.addDim(u)
			}
			for len(v) > 0 {
				d, n := protowire.ConsumeVarint(v)
				if n < 0 {
					return protowire.ParseError(n)
				}
				if err := t.addDim(d); err != nil {
					return err
				}
				v = v[n:]
			}
		case tensorDataType:
			dataType = u
		case tensorName:
			name = string(v)
		case tensorRawData:
			raw = v
		case tensorFloatData:
			if v == nil { // unpacked fixed32
				floats = append(floats, math.Float32frombits(uint32(u)))
				return nil
			}
			if len(v)%4 != 0 {
				return errors.New("float_data is not a whole number of floats")
			}
			for i := 0; i < len(v); i += 4 {
				floats = append(floats, math.Float32frombits(binary.LittleEndian.Uint32(v[i:])))
			}
		case tensorLocation:
			external = u == 1
		}
		return nil
	})
	if err != nil || dataType != onnxFloat {
		return name, tensor{}, err
	}
	if external {
		return name, t, errors.New("stored in an external data file, which import does not read")
	}
	n := 1
	for _, d := range t.dims {
		n *= d
	}
	if n == 0 {
		// Empty: no weight of an encoder. Dropping it also keeps a shape
		// like [2^31, 0] from costing 2^31 steps of a transpose.
		return name, tensor{}, nil
	}
	switch {
	case raw != nil:
		if len(raw) != 4*n {
			return name, t, fmt.Errorf("raw_data has %d bytes for shape %v", len(raw), t.dims)
		}
		t.data = make([]float32, n)
		for i := range t.data {
			t.data[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case len(floats) == n:
		t.data = floats
	default:
		return name, t, fmt.Errorf("%d floats for shape %v", len(floats), t.dims)
	}
	return name, t, nil
}

// addDim appends one dimension, refusing shapes whose element count would
// not fit in memory (a corrupt file must not make us allocate terabytes).
func (t *tensor) addDim(d uint64) error {
	n := uint64(1)
	for _, x := range t.dims {
		n *= uint64(x)
	}
	if len(t.dims) >= maxDims || d > math.MaxInt32 || (d > 0 && n > (1<<31)/d) {
		return fmt.Errorf("implausible shape %v×%d", t.dims, d)
	}
	t.dims = append(t.dims, int(d))
	return nil
}

// eachField calls fn for every field of a protobuf message: v holds the
// bytes of a length-delimited field (nil otherwise) and u the value of a
// varint or fixed-width one.
func eachField(b []byte, fn func(num protowire.Number, v []byte, u uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var (
			v []byte
			u uint64
		)
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
			if v == nil && n >= 0 {
				v = []byte{}
			}
		case protowire.VarintType:
			u, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var x uint32
			x, n = protowire.ConsumeFixed32(b)
			u = uint64(x)
		case protowire.Fixed64Type:
			u, n = protowire.ConsumeFixed64(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := fn(num, v, u); err != nil {
			return err
		}
	}
	return nil
}
