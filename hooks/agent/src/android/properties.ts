// Native system properties: __system_property_get and __system_property_read_callback
// answer the clone's serial and product properties (bionic only).

import type { SpoofEmit } from "../identity/types.js";
import { readPath } from "../identity/native.js";
import { PROP_VALUE_MAX } from "./decide/props.js";

type Answer = (name: string) => string | null;

function clip(value: string): string {
  return value.length < PROP_VALUE_MAX ? value : value.slice(0, PROP_VALUE_MAX - 1);
}

export function hookNativeProperties(answer: Answer, emit: SpoofEmit): number {
  const get = Module.findGlobalExportByName("__system_property_get");
  if (get !== null) {
    Interceptor.attach(get, {
      onEnter(args) {
        const name = readPath(args[0]!);
        this.answer = name === null ? null : answer(name);
        this.name = name;
        this.value = args[1];
      },
      onLeave(retval) {
        const value = this.answer as string | null;
        if (value === null) {
          return;
        }
        const text = clip(value);
        (this.value as NativePointer).writeUtf8String(text);
        retval.replace(ptr(text.length));
        emit({ type: "spoof", op: "__system_property_get", path: this.name as string, value: text });
      },
    });
  }
  return (get === null ? 0 : 1) + hookReadCallback(answer, emit);
}

/** Android O+ readers pass a callback; ours hands it the clone's value instead. */
function hookReadCallback(answer: Answer, emit: SpoofEmit): number {
  const readCallback = Module.findGlobalExportByName("__system_property_read_callback");
  if (readCallback === null) {
    return 0;
  }
  const pending = new Map<number, NativePointer>();
  const wrapper = new NativeCallback(
    (cookie: NativePointer, name: NativePointer, value: NativePointer, serial: number): void => {
      const callback = pending.get(Process.getCurrentThreadId());
      if (callback === undefined) {
        return;
      }
      const prop = readPath(name);
      const spoof = prop === null ? null : answer(prop);
      const shown = spoof === null ? value : Memory.allocUtf8String(clip(spoof));
      if (spoof !== null) {
        emit({ type: "spoof", op: "__system_property_read_callback", path: prop ?? "", value: spoof });
      }
      new NativeFunction(callback, "void", ["pointer", "pointer", "pointer", "uint32"])(cookie, name, shown, serial);
    },
    "void",
    ["pointer", "pointer", "pointer", "uint32"],
  );
  Interceptor.attach(readCallback, {
    onEnter(args) {
      pending.set(Process.getCurrentThreadId(), args[1]!);
      args[1] = wrapper;
    },
    onLeave() {
      pending.delete(Process.getCurrentThreadId());
    },
  });
  return 1;
}
