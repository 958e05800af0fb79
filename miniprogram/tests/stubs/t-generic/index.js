// 测试用的 TDesign 组件替身：测试里没有「构建 npm」产物，用它显示标题、说明和插槽内容。
Component({
  properties: {
    title: String,
    note: String,
    label: String,
    description: String,
    content: String,
    text: String,
    theme: String,
    variant: String,
    size: String,
    icon: null,
    name: String,
    count: null,
    block: Boolean,
    loading: Boolean,
    disabled: Boolean,
    visible: Boolean,
  },
});
